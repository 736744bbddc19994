/*
 * yaml_json.h — turning a libyaml document node into a JSON value, for the parts of the
 * configuration that are free-form (module settings, capability config) or that another
 * layer parses as JSON (admission rules).
 *
 * Plain scalars are resolved as the YAML 1.2 core schema says (null, booleans, integers,
 * floats, else strings); quoted scalars are always strings, so `"true"` stays a string.
 * Aliases are followed, with a budget on the number of nodes visited so that a document of
 * nested aliases ("billion laughs") cannot make the server allocate without bound.
 */
#ifndef WG_SERVER_YAML_JSON_H
#define WG_SERVER_YAML_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* What a plain scalar resolves to. */
typedef enum wgsrv_scalar_type {
    WGSRV_SCALAR_NULL,
    WGSRV_SCALAR_BOOL,
    WGSRV_SCALAR_INT,
    WGSRV_SCALAR_FLOAT,
    WGSRV_SCALAR_STRING
} wgsrv_scalar_type;

/* Resolves a scalar node (quoted scalars are strings). */
wgsrv_scalar_type wgsrv_yaml_scalar_type(const yaml_node_t *node);

/* "null", "boolean", "integer", "number", "string", "mapping", "sequence". */
const char *wgsrv_yaml_type_name(const yaml_node_t *node);

/*
 * Converts a node (and everything under it). On failure returns NULL and writes a message
 * into err; *bad_line receives the 1-based line of the offending node and bad_path (size
 * pathsz) the path below `node` ("" for the node itself, ".a[2]" below it).
 */
json_t *wgsrv_yaml_to_json(yaml_document_t *doc, yaml_node_t *node, char *err, size_t errsz,
                           int *bad_line, char *bad_path, size_t pathsz);

#endif /* WG_SERVER_YAML_JSON_H */
