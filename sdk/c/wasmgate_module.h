/*
 * wasmgate_module.h — the C SDK for k8s-wasm modules: Kubernetes authentication (TokenReview),
 * authorization (SubjectAccessReview) and admission (AdmissionReview) decided by a WebAssembly
 * module. docs/module-authors.md is the guide; this header is the reference.
 *
 * A module is built with `clang --target=wasm32-wasi` and depends on nothing but wasi-libc. The
 * host writes {"request": <review>, "settings": <JSON>} to the module's stdin and calls one
 * export — authn, authz or validate — without running _start; the module answers on stdout
 * with {"response": <review>} or {"error": "message"}. The same sources build natively (for
 * tests), where the exports are plain functions.
 *
 * A module's export, in full:
 *
 *     #include "wasmgate_module.h"
 *
 *     void validate(void)
 *     {
 *         if (!wgm_begin()) return;        // input unreadable: already answered with an error
 *         wgm_val labels = wgm_path(wgm_request(), "request.object.metadata.labels");
 *         if (wgm_exists(labels) && !wgm_exists(wgm_get(labels, "team")))
 *             wgm_deny_admission(403, "the label \"team\" is required");
 *         else
 *             wgm_admit();
 *     }
 *
 * The pieces:
 *   1. a JSON reader that indexes the input in place (no copies, no recursion);
 *   2. a JSON writer (a growable buffer with escaping and automatic commas);
 *   3. the request: wgm_begin() reads and parses stdin, wgm_request()/wgm_settings() give it;
 *   4. answers: one call sends the whole response (wgm_authenticate, wgm_allow, wgm_admit ...),
 *      with warnings, audit annotations and patch operations collected before it;
 *   5. small utilities: JSON Pointer escaping, base64.
 *
 * Conventions. Functions never crash on hostile input and never exit the process: a failure
 * is a return value or, for answers, an {"error": ...} envelope. Strings are UTF-8 and
 * NUL-terminated unless a length is given. Everything the SDK allocates lives until the next
 * wgm_begin() or wgm_release(); a wasm module is instantiated afresh for every call, so it
 * never needs to free anything.
 */
#ifndef WASMGATE_MODULE_H
#define WASMGATE_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h> /* strtod, for wgm_double() */
#include <string.h> /* memcpy, for wgm_double() */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Exports --------------------------------------------------------------------------- */

/* On wasm32 the three entry points are exported under their own names by this declaration,
 * so a module needs no -Wl,--export flag: it defines the ones it implements, as plain
 * `void validate(void) { ... }`. Declaring all three here also keeps -Wmissing-prototypes
 * quiet. An entry point the module does not define is simply not exported. */
#if defined(__wasm__)
#define WGM_EXPORT(name) __attribute__((export_name(name)))
#else
#define WGM_EXPORT(name)
#endif

WGM_EXPORT("authn") void authn(void);       /* TokenReview */
WGM_EXPORT("authz") void authz(void);       /* SubjectAccessReview */
WGM_EXPORT("validate") void validate(void); /* AdmissionReview (validating and mutating) */

/* ---- 1. Reading JSON ------------------------------------------------------------------- */

/* The kind of a JSON value; WGM_MISSING for a lookup that found nothing. */
typedef enum wgm_type {
    WGM_MISSING = 0,
    WGM_NULL,
    WGM_FALSE,
    WGM_TRUE,
    WGM_NUMBER,
    WGM_STRING,
    WGM_ARRAY,
    WGM_OBJECT
} wgm_type;

/* One JSON value in a parsed document. Tokens are stored in document order (a container
 * before its contents; an object member is its key token followed by its value), so a
 * container's contents are the tokens from index+1 up to `next`. Readers of this header need
 * not know more: use the functions below. */
typedef struct wgm_token {
    uint8_t type;    /* wgm_type */
    uint32_t start;  /* strings: offset of the unescaped text; numbers: of the number's text */
    uint32_t len;    /* strings: unescaped length in bytes; numbers: text length */
    uint32_t next;   /* index of the first token after this value (and all it contains) */
    uint32_t parent; /* index of the enclosing array or object; WGM_NO_PARENT for the root */
} wgm_token;

#define WGM_NO_PARENT UINT32_MAX

/* A parsed document: an index of tokens over the text it was parsed from. */
typedef struct wgm_doc {
    char *text; /* the caller's buffer, modified in place by wgm_parse() */
    size_t text_len;
    wgm_token *tokens; /* owned; freed by wgm_doc_free() */
    uint32_t count, capacity;
    char error[160]; /* why wgm_parse() failed: "offset 12: expected ':' after an object key" */
} wgm_doc;

/* A reference to one value of a document; small, passed by value. A lookup that fails
 * returns WGM_NONE (doc == NULL), and every function accepts WGM_NONE and treats it as
 * "missing", so lookups chain without checks: wgm_get(wgm_get(v, "a"), "b"). */
typedef struct wgm_val {
    const wgm_doc *doc;
    uint32_t index;
} wgm_val;

#define WGM_NONE ((wgm_val){NULL, 0})

/* Parses JSON text (RFC 8259: one value, UTF-8, no trailing characters) into `doc`. The text
 * is modified in place — strings are unescaped where they stand and NUL-terminated — so it
 * must stay alive and unmodified as long as `doc` is used. Nesting depth is unlimited: the
 * parser uses no recursion and no stack, only one token per value. Returns false with
 * doc->error set on malformed input (the offset is of the offending byte) or when out of
 * memory; doc then holds nothing to free. `len` must be below 4 GiB. */
bool wgm_parse(wgm_doc *doc, char *text, size_t len);

/* Frees the tokens of a document (not its text). Safe on a zeroed or failed doc. */
void wgm_doc_free(wgm_doc *doc);

/* The top-level value of a parsed document. */
wgm_val wgm_root(const wgm_doc *doc);

/* The type of a value; WGM_MISSING for WGM_NONE. */
wgm_type wgm_type_of(wgm_val v);

/* True when the value is there and is not JSON null. Kubernetes treats a null member as an
 * absent one (Go's decoder does), and so should modules: `"object": null` on a DELETE. */
bool wgm_exists(wgm_val v);

/* The member `key` of an object; WGM_NONE if v is not an object or has no such member. With
 * duplicate keys the last one wins, as in kube-apiserver's decoder. The key is compared over
 * its full length: a member "a\u0000b" is not found by the key "a". */
wgm_val wgm_get(wgm_val object, const char *key);

/* wgm_get() with a key of `key_len` bytes that may contain NUL bytes — use it when the key
 * comes from the request (a token, a user name), so that "alice\u0000x" cannot pass for
 * "alice". */
wgm_val wgm_get_n(wgm_val object, const char *key, size_t key_len);

/* Element `index` (from 0) of an array; WGM_NONE if v is not an array or too short. O(index). */
wgm_val wgm_at(wgm_val array, size_t index);

/* Follows a path of member names separated by '.', with [N] for array elements:
 * wgm_path(review, "request.object.spec.containers[0].name"). Members whose names contain
 * '.', '[' or ']' (labels like "app.kubernetes.io/name") are reached with wgm_get(). An empty
 * path gives v itself. WGM_NONE when any step is missing. */
wgm_val wgm_path(wgm_val v, const char *path);

/* Follows an RFC 6901 JSON Pointer ("/spec/containers/0", "~1" for '/', "~0" for '~');
 * "" is v itself. Array indices must be decimal without leading zeros. WGM_NONE if missing. */
wgm_val wgm_pointer(wgm_val v, const char *pointer);

/* The number of elements of an array or members of an object; 0 for anything else. O(n). */
size_t wgm_len(wgm_val v);

/* Iterates an array's elements or an object's members, in document order:
 *
 *     wgm_iter it = wgm_iterate(containers);
 *     wgm_val key, container;
 *     while (wgm_next(&it, &key, &container)) { ... }
 *
 * For arrays `key` is WGM_NONE; either out-pointer may be NULL. Iterating anything but an
 * array or object yields nothing. */
typedef struct wgm_iter {
    const wgm_doc *doc;
    uint32_t pos, end;
    bool object;
} wgm_iter;

wgm_iter wgm_iterate(wgm_val container);
bool wgm_next(wgm_iter *it, wgm_val *key, wgm_val *value);

/* The unescaped text of a string value (object keys included), NUL-terminated, pointing into
 * the document; NULL if v is not a string. A string containing "\u0000" looks truncated here:
 * wgm_str_len() gives its full length. */
const char *wgm_str(wgm_val v);

/* The string's length in bytes (embedded NULs counted); 0 if v is not a string. */
size_t wgm_str_len(wgm_val v);

/* wgm_str(v) if v is a string, otherwise `fallback`. Handy: wgm_str_or(v, "") never is NULL. */
const char *wgm_str_or(wgm_val v, const char *fallback);

/* True when v is a string equal to s over its full length. */
bool wgm_str_eq(wgm_val v, const char *s);

/* True only when v is JSON true (missing, null, false and non-booleans are all "not true"). */
bool wgm_is_true(wgm_val v);

/* Stores a boolean in *out and returns true; false (and *out untouched) for non-booleans. */
bool wgm_bool(wgm_val v, bool *out);

/* Stores an integer in *out and returns true when v is a number written as an integer
 * (no fraction, no exponent) within the int64 range; false otherwise. */
bool wgm_int(wgm_val v, int64_t *out);

/* The text of a number as written in the input (not NUL-terminated; *len receives its length),
 * or NULL if v is not a number. For quantities or numbers beyond what wgm_int() converts. */
const char *wgm_number_text(wgm_val v, size_t *len);

/* Stores a number as a double (strtod rounding); false for non-numbers and for numbers
 * written with more than 63 characters. Inline, so that strtod — and the stdio code it
 * drags in from wasi-libc, with two more WASI imports — is linked only into modules that
 * use it. */
static inline bool wgm_double(wgm_val v, double *out)
{
    char buf[64];
    size_t len;
    const char *text = wgm_number_text(v, &len);
    if (!text || len >= sizeof buf) return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    return true;
}

/* Parses JSON text into a document owned by the SDK (freed with the request) and returns its
 * root: a way to make values for wgm_authenticate() and the patch operations from C.
 * WGM_NONE when the text is not JSON (the reason goes to stderr). */
wgm_val wgm_json(const char *text);

/* A JSON string value holding s (any bytes up to the NUL), owned by the SDK like wgm_json(). */
wgm_val wgm_json_string(const char *s);

/* ---- 2. Writing JSON ------------------------------------------------------------------- */

/* A growable JSON text. Start with WGM_WRITER_INIT (or zeroed memory). Commas are inserted
 * automatically: write a key, then its value, and the next key or element gets its comma.
 * The writer does not check that calls nest properly; that is the caller's part. When memory
 * runs out, `failed` is set, further writes do nothing, and wgm_writer_text() returns NULL. */
typedef struct wgm_writer {
    char *data;
    size_t len, cap;
    bool failed;
} wgm_writer;

/* clang-format off */
#define WGM_WRITER_INIT {NULL, 0, 0, false}
/* clang-format on */

void wgm_write_object_begin(wgm_writer *w);
void wgm_write_object_end(wgm_writer *w);
void wgm_write_array_begin(wgm_writer *w);
void wgm_write_array_end(wgm_writer *w);
/* An object member's key; the member's value is whatever is written next. */
void wgm_write_key(wgm_writer *w, const char *key);
/* A string value, escaped. Bytes that are not valid UTF-8 become U+FFFD, so the output is
 * always valid JSON. NULL writes null. */
void wgm_write_string(wgm_writer *w, const char *s);
/* A string value of `len` bytes, which may include NULs (written as \u0000). */
void wgm_write_string_n(wgm_writer *w, const char *s, size_t len);
void wgm_write_int(wgm_writer *w, int64_t n);
void wgm_write_bool(wgm_writer *w, bool b);
void wgm_write_null(wgm_writer *w);
/* A copy of a parsed value, however deep (no recursion); WGM_NONE writes null. */
void wgm_write_value(wgm_writer *w, wgm_val v);
/* JSON text written as it is, as one value or several comma-separated ones (a comma goes
 * before it if needed). The caller guarantees it is valid JSON. */
void wgm_write_raw(wgm_writer *w, const char *json, size_t len);
/* The text so far, NUL-terminated; NULL if writing failed. Stays owned by the writer. */
const char *wgm_writer_text(wgm_writer *w);
void wgm_writer_free(wgm_writer *w);

/* ---- 3. The request -------------------------------------------------------------------- */

/* Starts a call: forgets any previous one, reads all of stdin (at most WGM_MAX_INPUT bytes),
 * parses it, and checks it is {"request": {...review with string apiVersion and kind...},
 * "settings": ...}. Returns true when the module may go on; false when it has already
 * answered with {"error": ...}, in which case the export should simply return. */
bool wgm_begin(void);

#ifndef WGM_MAX_INPUT
#define WGM_MAX_INPUT (16u * 1024 * 1024) /* kube-apiserver caps request bodies at 3 MiB */
#endif

/* The review (TokenReview, SubjectAccessReview or AdmissionReview), exactly as
 * kube-apiserver sent it. For admission, the interesting part is under "request":
 * wgm_path(wgm_request(), "request.object"). WGM_NONE before wgm_begin(). */
wgm_val wgm_request(void);

/* The module's settings from the wasmgate configuration (any JSON), or WGM_NONE when none
 * are configured (or they are null). */
wgm_val wgm_settings(void);

/* The review's kind ("TokenReview", ...) and apiVersion ("authentication.k8s.io/v1", ...);
 * "" before wgm_begin(). Answers echo both. */
const char *wgm_review_kind(void);
const char *wgm_review_api_version(void);

/* Writes a line to stderr, which the host keeps as the module's diagnostics (it never
 * reaches kube-apiserver). Never put a bearer token in it. */
void wgm_log(const char *message);

/* Frees everything the SDK holds for the current call (input, documents, collected answer
 * parts). Never needed in a wasm module; native tests call it to stay leak-free. Strings and
 * values obtained before are invalid afterwards. */
void wgm_release(void);

/* Native tests only: read the input from `input_fd` and write the answer to `output_fd`
 * instead of 0 and 1. */
void wgm_set_fds(int input_fd, int output_fd);

/* ---- 4. Answers ------------------------------------------------------------------------ */

/* Each answer function below writes the complete output and ends the call: the first answer
 * counts, and a second one is ignored (with a note on stderr). An answer that does not fit
 * the review (wgm_allow() on a TokenReview) or is given bad arguments becomes an {"error"}
 * naming the problem. A module that returns without answering leaves stdout empty, which the
 * host reports as a failure. */

/* Fails the call: {"error": message}. The host treats this like a crash of the module and
 * applies its failurePolicy; use it for broken settings or impossible input, not for
 * "no" — a "no" is wgm_reject_token(), wgm_deny() or wgm_deny_admission(). */
void wgm_error(const char *message);

/* -- TokenReview (export authn) -- */

/* Adds an audience the token is valid for: status.audiences. When the request names
 * audiences (spec.audiences), add only those of them the token is valid for; if there are
 * none, reject the token instead. Call before wgm_authenticate(). */
void wgm_add_audience(const char *audience);

/* The token is valid: status {authenticated: true, user: {username, uid, groups, extra},
 * audiences}. `username` must be non-empty; `uid` may be NULL or ""; `groups` an array of
 * strings or WGM_NONE; `extra` an object whose values are arrays of strings, or WGM_NONE.
 * Values usually come from the settings; wgm_json() makes them from C. */
void wgm_authenticate(const char *username, const char *uid, wgm_val groups, wgm_val extra);

/* The token is not valid (unknown, expired, wrong audience): status {authenticated: false,
 * error}. `error` may be NULL. Never include the token in it. */
void wgm_reject_token(const char *error);

/* -- SubjectAccessReview (export authz) -- */

/* The request is allowed: status {allowed: true, reason}. `reason` may be NULL. */
void wgm_allow(const char *reason);

/* The request is denied, and no later authorizer is asked: status {allowed: false,
 * denied: true, reason}. */
void wgm_deny(const char *reason);

/* No decision; kube-apiserver asks its next authorizer: status {allowed: false, reason}. */
void wgm_no_opinion(const char *reason);

/* -- AdmissionReview (export validate) -- */

/* Adds a warning shown to the user (kubectl prints "Warning: ..."); keep it under 120
 * characters. Sent with the admission answer, admit or deny. */
void wgm_add_warning(const char *warning);

/* Adds an audit annotation (key, value) to the admission answer; a key added twice keeps the
 * last value. kube-apiserver prefixes keys with the webhook's name in the audit log. */
void wgm_add_audit_annotation(const char *key, const char *value);

/* Admits the request: response {uid, allowed: true}, with the patch made of the operations
 * below if there are any (wasmgate accepts a patch only from a module configured as
 * mutating). If a patch operation was refused, answers with that error instead. */
void wgm_admit(void);

/* Denies the request: response {uid, allowed: false, status {code, message}}. `code` is an
 * HTTP status (100-599), 0 for kube-apiserver's default (403). No patch is sent. */
void wgm_deny_admission(int code, const char *message);

/* Admits the request with `object` as the whole mutated object: patchType "Full", patch the
 * base64 of the object's JSON. Ignores the patch operations below. */
void wgm_admit_mutated(wgm_val object);

/* -- Mutation: patch operations on request.object --
 *
 * Each operation names its target as a parent JSON Pointer (escaped, like
 * "/metadata/labels" or "/spec/containers/0"; "" for the object itself) plus a key (NOT
 * escaped: "app.kubernetes.io/name" is fine; an array index as decimal text; "-" to append to
 * an array). Operations are edits of the ORIGINAL object, checked when made: the parent must
 * exist in request.object, a replaced or removed target must exist, and no two operations may
 * touch the same target or one inside the other (appends to one array excepted). Together
 * they therefore mean the same whatever their order, and wgm_admit() can send them either as
 * an RFC 6902 JSON Patch (the default; removals from one array are ordered last-index-first so
 * every index stays right) or as a "Full" patch: the object with the edits applied.
 * A refused operation returns false, logs why, and makes wgm_admit() answer with an error. */

/* Adds or sets object member `key` of `parent`, or appends to the array `parent` with "-". */
bool wgm_patch_add(const char *parent, const char *key, wgm_val value);
/* Replaces the existing member or element `key` of `parent`. */
bool wgm_patch_replace(const char *parent, const char *key, wgm_val value);
/* Removes the existing member or element `key` of `parent`. */
bool wgm_patch_remove(const char *parent, const char *key);

typedef enum wgm_patch_type {
    WGM_PATCH_JSONPATCH = 0, /* patchType "JSONPatch": base64 of an RFC 6902 patch */
    WGM_PATCH_FULL           /* patchType "Full": base64 of the whole mutated object */
} wgm_patch_type;

/* How wgm_admit() sends the patch operations; JSONPatch unless set. */
void wgm_set_patch_type(wgm_patch_type type);

/* ---- 5. Utilities ---------------------------------------------------------------------- */

/* Appends "/" and `key` escaped per RFC 6901 ('~' → "~0", '/' → "~1") to the JSON Pointer in
 * `buf` (NUL-terminated, `size` bytes in all). Returns false, leaving buf unchanged, when the
 * result would not fit. */
bool wgm_pointer_append(char *buf, size_t size, const char *key);
/* Appends "/" and the decimal `index`. */
bool wgm_pointer_append_index(char *buf, size_t size, size_t index);

/* Base64 (RFC 4648, standard alphabet, padded) of `len` bytes into `out`, NUL-terminated.
 * Returns the encoded length, or 0 when out (of `out_size` bytes) is too small — it needs
 * WGM_BASE64_SIZE(len). */
#define WGM_BASE64_SIZE(len) (((len) + 2) / 3 * 4 + 1)
size_t wgm_base64_encode(const void *data, size_t len, char *out, size_t out_size);

#ifdef __cplusplus
}
#endif
#endif /* WASMGATE_MODULE_H */
