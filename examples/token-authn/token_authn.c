/*
 * token-authn — an authentication k8s-wasm module (export `authn`): static bearer tokens
 * mapped to users by its settings, like kube-apiserver's --token-auth-file but reloadable
 * with wasmgate's configuration.
 *
 * Settings:
 *   {"tokens": {
 *      "<token>": {"username": "jane", "uid": "42", "groups": ["dev"],
 *                  "extra": {"scopes": ["openid"]},
 *                  "audiences": ["https://kubernetes.default.svc"]}}}
 * Only "username" is required. "audiences" lists the audiences the token is valid for; a
 * token without it is valid for whatever audiences the request names.
 *
 * Audiences (docs/k8s-semantics.md §4): when the request names audiences (spec.audiences),
 * the answer's status.audiences is the subset of them the token is valid for, and a token
 * valid for none of them is rejected; when it names none, the token's own audiences (if any)
 * are reported.
 *
 * The token is looked up by its full bytes (wgm_get_n), and never appears in an answer or a
 * log line: answers and diagnostics end up in logs that more people read than should see a
 * credential.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <string.h>

/* Fills status.audiences; false when the token is valid for none of the requested ones. */
static bool add_audiences(wgm_val requested, wgm_val valid_for)
{
    wgm_val audience;
    wgm_iter it;
    if (!wgm_exists(valid_for)) {
        it = wgm_iterate(requested); /* valid for any audience: echo the request's */
        while (wgm_next(&it, NULL, &audience))
            wgm_add_audience(wgm_str(audience));
        return true;
    }
    if (wgm_len(requested) == 0) {
        it = wgm_iterate(valid_for); /* nothing requested: report the token's own */
        while (wgm_next(&it, NULL, &audience))
            wgm_add_audience(wgm_str(audience));
        return true;
    }
    bool any = false;
    it = wgm_iterate(requested);
    while (wgm_next(&it, NULL, &audience)) {
        if (list_contains(valid_for, wgm_str(audience), false)) {
            wgm_add_audience(wgm_str(audience));
            any = true;
        }
    }
    return any;
}

void authn(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "TokenReview") != 0) {
        wgm_error("token-authn answers TokenReviews; configure it for authentication");
        return;
    }
    wgm_val tokens = wgm_get(wgm_settings(), "tokens");
    if (wgm_type_of(tokens) != WGM_OBJECT) {
        wgm_error("token-authn: settings.tokens must be an object mapping tokens to users");
        return;
    }
    wgm_val spec = wgm_get(wgm_request(), "spec");
    wgm_val token = wgm_get(spec, "token"), requested = wgm_get(spec, "audiences");
    if (wgm_str_len(token) == 0) {
        wgm_reject_token("no token in the request");
        return;
    }
    if (wgm_exists(requested) && !is_string_list(requested)) {
        wgm_error("token-authn: spec.audiences must be an array of strings");
        return;
    }

    wgm_val user = wgm_get_n(tokens, wgm_str(token), wgm_str_len(token));
    if (!wgm_exists(user)) {
        wgm_reject_token("unknown token");
        return;
    }
    /* Settings errors name the user, never the token that is the key. */
    const char *username = wgm_str(wgm_get(user, "username"));
    wgm_val valid_for = wgm_get(user, "audiences");
    if (wgm_type_of(user) != WGM_OBJECT || !username || !username[0]) {
        wgm_error("token-authn: every entry of settings.tokens needs a non-empty \"username\"");
        return;
    }
    if (wgm_exists(valid_for) && !is_string_list(valid_for)) {
        wgm_error("token-authn: the \"audiences\" of a token must be an array of strings");
        return;
    }
    if (!add_audiences(requested, valid_for)) {
        wgm_reject_token("the token is not valid for the requested audiences");
        return;
    }
    wgm_val uid = wgm_get(user, "uid");
    if (wgm_exists(uid) && wgm_type_of(uid) != WGM_STRING) {
        wgm_error("token-authn: the \"uid\" of a token's user must be a string");
        return;
    }
    /* groups and extra are checked by wgm_authenticate(), which answers with an error naming
     * the field when the settings give something else than the API allows. */
    wgm_authenticate(username, wgm_str(uid), wgm_get(user, "groups"), wgm_get(user, "extra"));
}
