/* compat.c - the platform differences the tools meet (POSIX, Windows). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#include <shellapi.h>
#include <fcntl.h>
#include <io.h>
#endif

#include "compat.h"

#ifdef _WIN32

#define KERBEROS_PARAMETERS \
	L"SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"
#define KERBEROS_PARAMETERS_TEXT \
	"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\Kerberos\\Parameters"

static char **utf8_argv;
static int utf8_argc;
static int winsock_started;

static void platform_end(void)
{
	int i;

	for (i = 0; utf8_argv != NULL && i < utf8_argc; i++)
		free(utf8_argv[i]);
	free(utf8_argv);
	utf8_argv = NULL;
	if (winsock_started)
		WSACleanup();
	winsock_started = 0;
}

/* A UTF-16 string as a new UTF-8 string (unpaired surrogates become
 * U+FFFD), or NULL on no memory. */
static char *utf8_from_wide(const wchar_t *w)
{
	int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s;

	if (len <= 0)
		return NULL;
	s = malloc((size_t)len);
	if (s != NULL &&
	    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, len, NULL, NULL) != len) {
		free(s);
		s = NULL;
	}
	return s;
}

/* A UTF-8 string as a new UTF-16 string, or NULL (errno EILSEQ or ENOMEM). */
static wchar_t *wide_from_utf8(const char *s)
{
	int len = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
				      NULL, 0);
	wchar_t *w;

	if (len <= 0) {
		errno = EILSEQ;
		return NULL;
	}
	w = malloc((size_t)len * sizeof(*w));
	if (w == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, len);
	return w;
}

int tool_platform_init(int *argc, char ***argv)
{
	WSADATA wsa;
	wchar_t **wargv;
	int n = 0, i, rc = 0;

	if (WSAStartup(MAKEWORD(2, 2), &wsa) == 0)
		winsock_started = 1;
	atexit(platform_end);
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	wargv = CommandLineToArgvW(GetCommandLineW(), &n);
	if (wargv == NULL || n < 1)
		return -1;
	utf8_argv = calloc((size_t)n + 1, sizeof(*utf8_argv));
	if (utf8_argv == NULL) {
		rc = -1;
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		utf8_argv[i] = utf8_from_wide(wargv[i]);
		utf8_argc = i + 1;
		if (utf8_argv[i] == NULL) {
			rc = -1;
			goto cleanup;
		}
	}
	*argc = n;
	*argv = utf8_argv;
cleanup:
	LocalFree(wargv);
	return rc;
}

FILE *tool_fopen(const char *path, const char *mode)
{
	wchar_t *wpath = wide_from_utf8(path), *wmode = NULL;
	FILE *f = NULL;

	if (wpath != NULL)
		wmode = wide_from_utf8(mode);
	if (wmode != NULL)
		f = _wfopen(wpath, wmode);
	free(wpath);
	free(wmode);
	return f;
}

void tool_lock_file(FILE *f)
{
	_lock_file(f);
}

void tool_unlock_file(FILE *f)
{
	_unlock_file(f);
}

const char *tool_client_try_ip_spn(int given, int *on_out)
{
	static char note[256];
	DWORD value = 0, size = sizeof(value);
	LSTATUS rc;

	if (given) {
		*on_out = 1;
		return "TryIPSPN on: --try-ip-spn given (the registry was not read)";
	}
	rc = RegGetValueW(HKEY_LOCAL_MACHINE, KERBEROS_PARAMETERS, L"TryIPSPN",
			  RRF_RT_REG_DWORD, NULL, &value, &size);
	if (rc == ERROR_SUCCESS) {
		*on_out = value != 0;
		snprintf(note, sizeof(note),
			 "TryIPSPN %lu read from the registry (%s): %s",
			 (unsigned long)value, KERBEROS_PARAMETERS_TEXT,
			 value != 0 ? "on" : "off");
	} else if (rc == ERROR_FILE_NOT_FOUND) {
		*on_out = 0;
		snprintf(note, sizeof(note),
			 "TryIPSPN not set in the registry (%s): off, the Windows default",
			 KERBEROS_PARAMETERS_TEXT);
	} else {
		*on_out = 0;
		snprintf(note, sizeof(note),
			 "TryIPSPN could not be read from the registry (%s, error %ld): taken as off",
			 KERBEROS_PARAMETERS_TEXT, (long)rc);
	}
	return note;
}

#else /* POSIX */

int tool_platform_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

FILE *tool_fopen(const char *path, const char *mode)
{
	return fopen(path, mode);
}

void tool_lock_file(FILE *f)
{
	flockfile(f);
}

void tool_unlock_file(FILE *f)
{
	funlockfile(f);
}

const char *tool_client_try_ip_spn(int given, int *on_out)
{
	(void)given;
	(void)on_out;
	return NULL;
}

#endif

long tool_getline(char **line, size_t *size, FILE *f)
{
	size_t len = 0, grown_size;
	char *grown;
	int c;

	while ((c = getc(f)) != EOF) {
		if (len + 2 > *size) {
			grown_size = *size > 0 ? *size * 2 : 128;
			grown = realloc(*line, grown_size);
			if (grown == NULL)
				return -2;
			*line = grown;
			*size = grown_size;
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (len == 0)
		return -1;
	(*line)[len] = '\0';
	return (long)len;
}

char *tool_strndup(const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}
