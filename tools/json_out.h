/* json_out.h - JSON text written straight to a stream, for output that is
 * flat enough not to need a document tree (krbprobe's results). */
#ifndef SPN_TOOLS_JSON_OUT_H
#define SPN_TOOLS_JSON_OUT_H

#include <stdio.h>

/* Write value as a JSON string, quotes included, or null when value is NULL.
 * value must be valid UTF-8 (tool_utf8_valid_dup makes it so). Escaped as
 * cJSON prints strings ('"', '\\', \b \f \n \r \t, other C0 controls as
 * \u00XX), and DEL and the C1 controls as \u escapes too: the same JSON
 * value, safe to display. */
void json_out_string(FILE *f, const char *value);

/* "name":value, with a ',' before it unless first. */
void json_out_member(FILE *f, int first, const char *name, const char *value);

#endif
