/*
 * test_json_diff.c — wgk8s_json_diff: correct above all, then small.
 *
 * The property: for every pair (a, b), applying diff(a, b) to a gives exactly b (json_equal,
 * so integers stay integers). It is checked over every fixture object against hand-written
 * Kubernetes-flavoured mutations (labels with "/" and "~" in their keys, new images,
 * appended/removed/prepended containers, nested objects, nulls, type changes), against
 * seeded random mutations, and against every other fixture. Then a few exact diffs pin
 * down the shape of the output for common mutations.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pairs_checked;

/* The property for one pair; on failure prints the pair's name and the patch. */
static void check_round_trip(const json_t *a, const json_t *b, const char *what)
{
    json_t *patch = wgk8s_json_diff(a, b);
    if (!CHECK(patch != NULL)) return;
    char err[512] = "";
    json_t *result = wgk8s_json_patch_apply(a, patch, err, sizeof err);
    bool ok = result && json_equal(result, b);
    /* Only add, remove and replace are emitted. */
    size_t i;
    json_t *op;
    json_array_foreach(patch, i, op)
    {
        const char *name = json_string_value(json_object_get(op, "op"));
        if (!name || (strcmp(name, "add") && strcmp(name, "remove") && strcmp(name, "replace")))
            ok = false;
    }
    if (!ok) {
        char *p = json_dumps(patch, JSON_COMPACT);
        fprintf(stderr, "  round trip failed for %s: %s\n  patch: %.2000s\n", what, err,
                p ? p : "?");
        free(p);
    }
    CHECK(ok);
    pairs_checked++;
    json_decref(result);
    json_decref(patch);
}

/* The object a fixture is about: request.object (or oldObject for a DELETE) of an
 * admission review, the whole review otherwise. New reference. */
static json_t *fixture_object(const char *path)
{
    json_t *review = wgt_fixture_json(path);
    if (!review) return NULL;
    json_t *request = json_object_get(review, "request");
    json_t *obj = NULL;
    if (request) obj = json_object_get(request, "object");
    if (request && !json_is_object(obj)) obj = json_object_get(request, "oldObject");
    json_t *result = json_incref(json_is_object(obj) ? obj : review);
    json_decref(review);
    return result;
}

/* ---- Hand-written mutations (each edits a deep copy in place) ---- */

static json_t *labels_of(json_t *obj)
{
    json_t *meta = json_object_get(obj, "metadata");
    if (!meta) json_object_set_new(obj, "metadata", meta = json_object());
    json_t *labels = json_object_get(meta, "labels");
    if (!labels) json_object_set_new(meta, "labels", labels = json_object());
    return labels;
}

static void add_label_with_slash(json_t *obj)
{
    json_object_set_new(labels_of(obj), "app.kubernetes.io/name", json_string("web"));
}

static void add_label_with_tilde(json_t *obj)
{
    json_object_set_new(labels_of(obj), "weird~key/with~1~0", json_string("x"));
}

static void remove_first_label(json_t *obj)
{
    json_t *labels = labels_of(obj);
    void *it = json_object_iter(labels);
    if (it) json_object_del(labels, json_object_iter_key(it));
}

static void drop_metadata(json_t *obj)
{
    json_object_del(obj, "metadata");
}

/* Applies fn to every value of `key` found anywhere in v. */
static void for_each_member(json_t *v, const char *key, void (*fn)(json_t *parent, json_t *value))
{
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child)
        {
            /* Descend first: fn may replace (and so free) child. */
            for_each_member(child, key, fn);
            if (strcmp(k, key) == 0) fn(v, child);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) for_each_member(child, key, fn);
    }
}

static void new_image(json_t *parent, json_t *value)
{
    if (json_is_string(value))
        json_object_set_new(parent, "image", json_string("registry.example.com/app:2.0"));
}
static void change_images(json_t *obj)
{
    for_each_member(obj, "image", new_image);
}

static void append_one(json_t *parent, json_t *containers)
{
    (void)parent;
    if (json_is_array(containers))
        json_array_append_new(
            containers, json_pack("{ssss}", "name", "sidecar", "image", "envoyproxy/envoy:v1.31"));
}
static void append_container(json_t *obj)
{
    for_each_member(obj, "containers", append_one);
}

static void prepend_one(json_t *parent, json_t *containers)
{
    (void)parent;
    if (json_is_array(containers))
        json_array_insert_new(containers, 0, json_pack("{ss}", "name", "init"));
}
static void prepend_container(json_t *obj)
{
    for_each_member(obj, "containers", prepend_one);
}

static void remove_one(json_t *parent, json_t *containers)
{
    (void)parent;
    if (json_array_size(containers) > 0) json_array_remove(containers, 0);
}
static void remove_container(json_t *obj)
{
    for_each_member(obj, "containers", remove_one);
}

static void add_nested_objects(json_t *obj)
{
    json_object_set_new(obj, "x-nested", json_pack("{s{s{s[i{sn}]}}}", "a", "b", "c", 1, "d"));
    json_object_set_new(json_object_get(obj, "metadata"), "annotations",
                        json_pack("{ss}", "example.com/owner~team", "a/b"));
}

static void set_nulls(json_t *obj)
{
    json_t *meta = json_object_get(obj, "metadata");
    if (meta) json_object_set_new(meta, "namespace", json_null());
    json_object_set_new(obj, "status", json_null());
}

static void change_types(json_t *obj)
{
    json_t *spec = json_object_get(obj, "spec");
    if (spec) json_object_set_new(obj, "spec", json_pack("[s]", "now an array"));
    json_object_set_new(obj, "kind", json_integer(42));
    json_t *meta = json_object_get(obj, "metadata");
    if (meta) json_object_set_new(meta, "name", json_pack("{ss}", "was", "a string"));
}

static void integer_to_real(json_t *parent, json_t *value)
{
    if (json_is_integer(value))
        json_object_set_new(parent, "replicas", json_real((double)json_integer_value(value)));
}
static void replicas_to_real(json_t *obj)
{
    for_each_member(obj, "replicas", integer_to_real);
}

static void reverse_arrays(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child) reverse_arrays(child);
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n / 2; i++) {
            json_t *x = json_incref(json_array_get(v, i));
            json_array_set(v, i, json_array_get(v, n - 1 - i));
            json_array_set_new(v, n - 1 - i, x);
        }
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child) reverse_arrays(child);
    }
}

static void empty_everything(json_t *obj)
{
    json_object_clear(obj);
}

static const struct {
    const char *name;
    void (*mutate)(json_t *obj);
} mutations[] = {
    {"add label with slash", add_label_with_slash},
    {"add label with tilde", add_label_with_tilde},
    {"remove first label", remove_first_label},
    {"drop metadata", drop_metadata},
    {"change images", change_images},
    {"append container", append_container},
    {"prepend container", prepend_container},
    {"remove container", remove_container},
    {"add nested objects", add_nested_objects},
    {"set nulls", set_nulls},
    {"change types", change_types},
    {"replicas to real", replicas_to_real},
    {"reverse arrays", reverse_arrays},
    {"empty everything", empty_everything},
};

/* ---- Seeded random mutations ---- */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return n ? (unsigned)((rng_state >> 33) % n) : 0;
}

static json_t *random_scalar(void)
{
    switch (rnd(6)) {
    case 0: return json_null();
    case 1: return json_boolean(rnd(2));
    case 2: return json_integer(rnd(1000));
    case 3: return json_real(rnd(1000) / 8.0);
    case 4: return json_string("with/slash~and~1tilde");
    default: return json_pack("{s[i]}", "nested", (int)rnd(10));
    }
}

static void random_mutation(json_t *v, int depth)
{
    if (json_is_object(v)) {
        size_t n = json_object_size(v);
        unsigned action = rnd(4);
        if (n == 0 || action == 0) {
            char key[32];
            snprintf(key, sizeof key, "k%u/~%u", rnd(100), rnd(3));
            json_object_set_new(v, key, random_scalar());
            return;
        }
        size_t pick = rnd((unsigned)n), i = 0;
        const char *k;
        json_t *child;
        json_object_foreach(v, k, child)
        {
            if (i++ != pick) continue;
            if (action == 1)
                json_object_del(v, k);
            else if (action == 2 && depth < 12 && (json_is_object(child) || json_is_array(child)))
                random_mutation(child, depth + 1);
            else
                json_object_set_new(v, k, random_scalar());
            break;
        }
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        unsigned action = rnd(4);
        if (n == 0 || action == 0) {
            json_array_insert_new(v, rnd((unsigned)n + 1), random_scalar());
        } else {
            size_t i = rnd((unsigned)n);
            json_t *child = json_array_get(v, i);
            if (action == 1)
                json_array_remove(v, i);
            else if (action == 2 && depth < 12 && (json_is_object(child) || json_is_array(child)))
                random_mutation(child, depth + 1);
            else
                json_array_set_new(v, i, random_scalar());
        }
    }
}

/* ---- Properties ---- */

static void patches_every_fixture_into_each_hand_written_mutation(void)
{
    for (const char *const *f = wgt_all_fixtures; *f; f++) {
        json_t *a = fixture_object(*f);
        if (!a) continue;
        for (size_t m = 0; m < sizeof mutations / sizeof mutations[0]; m++) {
            json_t *b = json_deep_copy(a);
            mutations[m].mutate(b);
            char what[256];
            snprintf(what, sizeof what, "%s / %s", *f, mutations[m].name);
            check_round_trip(a, b, what);
            check_round_trip(b, a, what); /* and back */
            json_decref(b);
        }
        json_decref(a);
    }
}

static void patches_every_fixture_into_random_mutations_of_it(void)
{
    rng_state = 20240601;
    for (const char *const *f = wgt_all_fixtures; *f; f++) {
        json_t *a = fixture_object(*f);
        if (!a) continue;
        for (int variant = 0; variant < 40; variant++) {
            json_t *b = json_deep_copy(a);
            int edits = 1 + (int)rnd(6);
            for (int e = 0; e < edits; e++)
                random_mutation(b, 0);
            char what[256];
            snprintf(what, sizeof what, "%s / random variant %d", *f, variant);
            check_round_trip(a, b, what);
            json_decref(b);
        }
        json_decref(a);
    }
}

static void patches_every_fixture_into_every_other_fixture(void)
{
    size_t n = 0;
    while (wgt_all_fixtures[n])
        n++;
    for (size_t i = 0; i < n; i++) {
        json_t *a = wgt_fixture_json(wgt_all_fixtures[i]);
        for (size_t j = 0; j < n && a; j++) {
            json_t *b = wgt_fixture_json(wgt_all_fixtures[j]);
            if (!b) continue;
            char what[256];
            snprintf(what, sizeof what, "%s -> %s", wgt_all_fixtures[i], wgt_all_fixtures[j]);
            check_round_trip(a, b, what);
            json_decref(b);
        }
        json_decref(a);
    }
}

static void patches_between_scalars_and_containers_at_the_root(void)
{
    const char *values[] = {"null", "1", "1.0", "\"s\"", "[]", "{}", "[1,[2]]", "{\"a\":[]}"};
    size_t n = sizeof values / sizeof values[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            json_t *a = wgt_json(values[i]), *b = wgt_json(values[j]);
            check_round_trip(a, b, values[i]);
            json_decref(a);
            json_decref(b);
        }
}

/* ---- Exact shapes ---- */

static void expect_diff(const char *from, const char *to, const char *patch)
{
    json_t *a = wgt_json(from), *b = wgt_json(to);
    json_t *d = wgk8s_json_diff(a, b);
    CHECK_JSON(d, patch);
    json_decref(a);
    json_decref(b);
    json_decref(d);
}

static void finds_no_difference_between_equal_documents(void)
{
    json_t *a = fixture_object("admission/deployment-large-create.json");
    json_t *b = json_deep_copy(a);
    json_t *d = wgk8s_json_diff(a, b);
    CHECK_JSON(d, "[]");
    json_decref(a);
    json_decref(b);
    json_decref(d);
}

static void escapes_slash_and_tilde_in_label_keys(void)
{
    expect_diff("{\"metadata\":{\"labels\":{\"app\":\"web\"}}}",
                "{\"metadata\":{\"labels\":{\"app\":\"web\",\"app.kubernetes.io/name\":\"web\","
                "\"a~b\":\"c\"}}}",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/app.kubernetes.io~1name\","
                "\"value\":\"web\"},{\"op\":\"add\",\"path\":\"/metadata/labels/a~0b\","
                "\"value\":\"c\"}]");
}

static void replaces_only_the_changed_image(void)
{
    expect_diff("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.28\"}]}}",
                "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\","
                "\"value\":\"nginx:1.28\"}]");
}

static void appends_a_container_with_one_add(void)
{
    expect_diff("{\"c\":[{\"name\":\"a\"}]}", "{\"c\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
                "[{\"op\":\"add\",\"path\":\"/c/1\",\"value\":{\"name\":\"b\"}}]");
}

static void prepends_a_container_with_one_add(void)
{
    expect_diff("{\"c\":[{\"name\":\"a\"}]}", "{\"c\":[{\"name\":\"init\"},{\"name\":\"a\"}]}",
                "[{\"op\":\"add\",\"path\":\"/c/0\",\"value\":{\"name\":\"init\"}}]");
}

static void removes_a_leading_container_with_one_remove(void)
{
    expect_diff("{\"c\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", "{\"c\":[{\"name\":\"b\"}]}",
                "[{\"op\":\"remove\",\"path\":\"/c/0\"}]");
}

static void removes_trailing_elements_last_first(void)
{
    expect_diff("[1,2,3,4,5]", "[1,2,3]",
                "[{\"op\":\"remove\",\"path\":\"/4\"},{\"op\":\"remove\",\"path\":\"/3\"}]");
}

static void removes_and_adds_object_members(void)
{
    expect_diff("{\"a\":1,\"b\":2}", "{\"b\":2,\"c\":null}",
                "[{\"op\":\"remove\",\"path\":\"/a\"},{\"op\":\"add\",\"path\":\"/c\","
                "\"value\":null}]");
}

static void replaces_a_value_whose_type_changed(void)
{
    expect_diff("{\"spec\":{\"replicas\":3}}", "{\"spec\":{\"replicas\":\"3\"}}",
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":\"3\"}]");
}

static void keeps_integers_and_reals_apart(void)
{
    expect_diff("{\"n\":1}", "{\"n\":1.0}", "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":1.0}]");
}

static void replaces_objects_with_nothing_in_common_whole(void)
{
    expect_diff("{\"o\":{\"a\":1,\"b\":2}}", "{\"o\":{\"c\":3}}",
                "[{\"op\":\"replace\",\"path\":\"/o\",\"value\":{\"c\":3}}]");
}

static void replaces_a_different_root_at_the_empty_path(void)
{
    expect_diff("{\"a\":1}", "[1]", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]");
}

static void report_count(void)
{
    /* Not a behaviour: documents how much the properties covered. */
    printf("json diff property: %d pairs checked\n", pairs_checked);
    CHECK(pairs_checked > 1000);
}

int main(void)
{
    RUN(patches_every_fixture_into_each_hand_written_mutation);
    RUN(patches_every_fixture_into_random_mutations_of_it);
    RUN(patches_every_fixture_into_every_other_fixture);
    RUN(patches_between_scalars_and_containers_at_the_root);
    RUN(finds_no_difference_between_equal_documents);
    RUN(escapes_slash_and_tilde_in_label_keys);
    RUN(replaces_only_the_changed_image);
    RUN(appends_a_container_with_one_add);
    RUN(prepends_a_container_with_one_add);
    RUN(removes_a_leading_container_with_one_remove);
    RUN(removes_trailing_elements_last_first);
    RUN(removes_and_adds_object_members);
    RUN(replaces_a_value_whose_type_changed);
    RUN(keeps_integers_and_reals_apart);
    RUN(replaces_objects_with_nothing_in_common_whole);
    RUN(replaces_a_different_root_at_the_empty_path);
    RUN(report_count);
    return wgt_finish();
}
