/* json_out.c - JSON strings and members written straight to a stream. */
#include "json_out.h"

void json_out_string(FILE *f, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;

	if (value == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", (unsigned int)*p);
			} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
				/* a C1 control (valid UTF-8: 0xc2 starts it) */
				fprintf(f, "\\u%04x", (unsigned int)p[1]);
				p++;
			} else {
				fputc(*p, f);
			}
			break;
		}
	}
	fputc('"', f);
}

void json_out_member(FILE *f, int first, const char *name, const char *value)
{
	if (!first)
		fputc(',', f);
	json_out_string(f, name);
	fputc(':', f);
	json_out_string(f, value);
}
