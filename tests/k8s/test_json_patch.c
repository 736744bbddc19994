/*
 * test_json_patch.c — JSON Pointer (RFC 6901) and JSON Patch application (RFC 6902).
 *
 * The RFC 6902 appendix examples come first, then the errors a module's patch can contain;
 * each error must name the failing operation's index and path.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static char err[512];

/* Applies patch text to doc text; NULL (with err set) on failure. */
static json_t *apply(const char *doc_text, const char *patch_text)
{
    json_t *doc = wgt_json(doc_text), *patch = wgt_json(patch_text);
    err[0] = '\0';
    json_t *result = doc && patch ? wgk8s_json_patch_apply(doc, patch, err, sizeof err) : NULL;
    json_decref(doc);
    json_decref(patch);
    return result;
}

static void expect_applies(const char *doc, const char *patch, const char *expected)
{
    json_t *result = apply(doc, patch);
    if (!CHECK(result != NULL)) {
        CHECK_STR(err, "");
        return;
    }
    CHECK_JSON(result, expected);
    json_decref(result);
}

static void expect_error(const char *doc, const char *patch, const char *message)
{
    json_t *result = apply(doc, patch);
    CHECK(result == NULL);
    CHECK_STR(err, message);
    json_decref(result);
}

/* ---- RFC 6902 appendix A ---- */

static void adds_an_object_member(void)
{
    expect_applies("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
                   "{\"baz\":\"qux\",\"foo\":\"bar\"}");
}

static void adds_an_array_element_before_the_index(void)
{
    expect_applies("{\"foo\":[\"bar\",\"baz\"]}",
                   "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
                   "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
}

static void removes_an_object_member(void)
{
    expect_applies("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
                   "{\"foo\":\"bar\"}");
}

static void removes_an_array_element(void)
{
    expect_applies("{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
                   "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}");
}

static void replaces_a_value(void)
{
    expect_applies("{\"baz\":\"qux\",\"foo\":\"bar\"}",
                   "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
                   "{\"baz\":\"boo\",\"foo\":\"bar\"}");
}

static void moves_a_value(void)
{
    expect_applies("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
                   "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
                   "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
}

static void moves_an_array_element(void)
{
    expect_applies("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
                   "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
                   "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
}

static void passes_a_test_of_equal_values(void)
{
    expect_applies("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
                   "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
                   "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
                   "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
}

static void fails_a_test_of_different_values(void)
{
    expect_error("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
                 "patch[0] (test /baz): test failed: value is \"qux\", expected \"bar\"");
}

static void adds_a_nested_member_object(void)
{
    expect_applies("{\"foo\":\"bar\"}",
                   "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
                   "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
}

static void ignores_unrecognized_operation_members(void)
{
    expect_applies("{\"foo\":\"bar\"}",
                   "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
                   "{\"foo\":\"bar\",\"baz\":\"qux\"}");
}

static void refuses_to_add_under_a_missing_parent(void)
{
    expect_error("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
                 "patch[0] (add /baz/bat): /baz does not exist (no member \"baz\")");
}

static void decodes_tilde_escapes_in_order(void)
{
    /* "~01" is "~1" (not "/"): ~1 is decoded before ~0. */
    expect_applies("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
                   "{\"/\":9,\"~1\":10}");
}

static void distinguishes_strings_from_numbers_in_test(void)
{
    expect_error("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
                 "patch[0] (test /~01): test failed: value is 10, expected \"10\"");
}

static void appends_with_the_dash_index(void)
{
    expect_applies("{\"foo\":[\"bar\"]}",
                   "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
                   "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");
}

/* ---- Beyond the appendix ---- */

static void addresses_label_keys_containing_a_slash(void)
{
    expect_applies("{\"metadata\":{\"labels\":{}}}",
                   "[{\"op\":\"add\",\"path\":\"/metadata/labels/app.kubernetes.io~1name\","
                   "\"value\":\"web\"}]",
                   "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"web\"}}}");
}

static void copies_a_value_deeply(void)
{
    json_t *result = apply("{\"a\":{\"x\":[1]},\"b\":{}}",
                           "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b/c\"},"
                           "{\"op\":\"add\",\"path\":\"/a/x/-\",\"value\":2}]");
    /* The copy must not share structure with its source: adding to /a/x leaves /b/c. */
    CHECK_JSON(result, "{\"a\":{\"x\":[1,2]},\"b\":{\"c\":{\"x\":[1]}}}");
    json_decref(result);
}

static void replaces_the_whole_document_at_the_empty_pointer(void)
{
    expect_applies("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1,2]}]", "[1,2]");
}

static void adds_null_values(void)
{
    expect_applies("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":null}]",
                   "{\"a\":1,\"b\":null}");
}

static void adds_at_an_index_equal_to_the_length(void)
{
    expect_applies("[1,2]", "[{\"op\":\"add\",\"path\":\"/2\",\"value\":3}]", "[1,2,3]");
}

static void treats_equal_numbers_as_equal_in_test(void)
{
    expect_applies("{\"n\":1}", "[{\"op\":\"test\",\"path\":\"/n\",\"value\":1.0}]", "{\"n\":1}");
}

static void compares_objects_regardless_of_member_order_in_test(void)
{
    expect_applies("{\"o\":{\"a\":1,\"b\":[true,null]}}",
                   "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"b\":[true,null],\"a\":1}}]",
                   "{\"o\":{\"a\":1,\"b\":[true,null]}}");
}

static void moving_a_value_onto_itself_changes_nothing(void)
{
    expect_applies("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
                   "{\"a\":{\"b\":1}}");
}

static void refuses_to_move_a_value_into_its_own_child(void)
{
    expect_error("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]",
                 "patch[0] (move /a/b/c): cannot move /a into its own child");
}

static void names_the_failing_operation_index_and_path(void)
{
    expect_error("{\"spec\":{\"replicas\":1}}",
                 "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2},"
                 "{\"op\":\"remove\",\"path\":\"/spec/x\"}]",
                 "patch[1] (remove /spec/x): /spec/x does not exist (no member \"x\")");
}

static void leaves_the_document_untouched_when_a_later_operation_fails(void)
{
    json_t *doc = wgt_json("{\"a\":1}");
    json_t *patch = wgt_json("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},"
                             "{\"op\":\"remove\",\"path\":\"/missing\"}]");
    CHECK(wgk8s_json_patch_apply(doc, patch, err, sizeof err) == NULL);
    CHECK_JSON(doc, "{\"a\":1}");
    json_decref(doc);
    json_decref(patch);
}

static void rejects_an_index_out_of_range(void)
{
    expect_error("{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":0}]",
                 "patch[0] (add /a/3): index 3 out of range (array has 2 elements)");
}

static void rejects_an_index_with_leading_zeros(void)
{
    expect_error("{\"a\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/a/01\"}]",
                 "patch[0] (remove /a/01): /a/01 does not exist (not an array index)");
}

static void rejects_the_dash_index_outside_add(void)
{
    expect_error("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]",
                 "patch[0] (remove /a/-): /a/- does not exist (\"-\" is past the end of the "
                 "array)");
}

static void rejects_removing_the_whole_document(void)
{
    expect_error("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]",
                 "patch[0] (remove ): cannot remove the whole document");
}

static void rejects_replacing_a_missing_member(void)
{
    expect_error("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]",
                 "patch[0] (replace /b): /b does not exist (no member \"b\")");
}

static void rejects_descending_into_a_scalar(void)
{
    expect_error("{\"a\":\"text\"}", "[{\"op\":\"add\",\"path\":\"/a/b/c\",\"value\":2}]",
                 "patch[0] (add /a/b/c): /a is a string, which has no member \"b\"");
}

static void rejects_an_unknown_op(void)
{
    expect_error("{}", "[{\"op\":\"merge\",\"path\":\"/a\"}]",
                 "patch[0] (merge /a): unknown op \"merge\" (want add, remove, replace, move, "
                 "copy or test)");
}

static void rejects_an_operation_without_a_value(void)
{
    expect_error("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]",
                 "patch[0] (add /a): missing \"value\"");
}

static void rejects_an_operation_without_a_path(void)
{
    expect_error("{}", "[{\"op\":\"add\",\"value\":1}]", "patch[0].path: missing");
}

static void rejects_a_move_without_from(void)
{
    expect_error("{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]",
                 "patch[0] (move /b): missing \"from\"");
}

static void rejects_a_pointer_without_a_leading_slash(void)
{
    expect_error("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]",
                 "patch[0] (remove a): invalid JSON pointer \"a\": must be empty or start with "
                 "'/'");
}

static void rejects_a_bad_tilde_escape(void)
{
    expect_error("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a~2\"}]",
                 "patch[0] (remove /a~2): invalid JSON pointer \"/a~2\": '~' at offset 2 must be "
                 "followed by 0 or 1");
}

static void rejects_a_patch_that_is_not_an_array(void)
{
    expect_error("{}", "{\"op\":\"add\"}", "patch: must be a JSON array, got object");
}

static void rejects_an_operation_that_is_not_an_object(void)
{
    expect_error("{}", "[42]", "patch[0]: must be an object, got number");
}

/* ---- JSON Pointer ---- */

static void escapes_tilde_and_slash_in_pointer_tokens(void)
{
    char *e = wgk8s_json_pointer_escape("a/b~c~1");
    CHECK_STR(e, "a~1b~0c~01");
    free(e);
}

static void resolves_pointers_into_objects_and_arrays(void)
{
    json_t *doc = wgt_json("{\"a\":{\"b/c\":[10,20]},\"\":0}");
    CHECK_JSON(wgk8s_json_pointer_get(doc, "/a/b~1c/1", err, sizeof err), "20");
    CHECK_JSON(wgk8s_json_pointer_get(doc, "/", err, sizeof err), "0");
    CHECK(wgk8s_json_pointer_get(doc, "", err, sizeof err) == doc);
    CHECK(wgk8s_json_pointer_get(doc, "/a/x", err, sizeof err) == NULL);
    CHECK_STR(err, "/a/x does not exist (no member \"x\")");
    json_decref(doc);
}

int main(void)
{
    RUN(adds_an_object_member);
    RUN(adds_an_array_element_before_the_index);
    RUN(removes_an_object_member);
    RUN(removes_an_array_element);
    RUN(replaces_a_value);
    RUN(moves_a_value);
    RUN(moves_an_array_element);
    RUN(passes_a_test_of_equal_values);
    RUN(fails_a_test_of_different_values);
    RUN(adds_a_nested_member_object);
    RUN(ignores_unrecognized_operation_members);
    RUN(refuses_to_add_under_a_missing_parent);
    RUN(decodes_tilde_escapes_in_order);
    RUN(distinguishes_strings_from_numbers_in_test);
    RUN(appends_with_the_dash_index);
    RUN(addresses_label_keys_containing_a_slash);
    RUN(copies_a_value_deeply);
    RUN(replaces_the_whole_document_at_the_empty_pointer);
    RUN(adds_null_values);
    RUN(adds_at_an_index_equal_to_the_length);
    RUN(treats_equal_numbers_as_equal_in_test);
    RUN(compares_objects_regardless_of_member_order_in_test);
    RUN(moving_a_value_onto_itself_changes_nothing);
    RUN(refuses_to_move_a_value_into_its_own_child);
    RUN(names_the_failing_operation_index_and_path);
    RUN(leaves_the_document_untouched_when_a_later_operation_fails);
    RUN(rejects_an_index_out_of_range);
    RUN(rejects_an_index_with_leading_zeros);
    RUN(rejects_the_dash_index_outside_add);
    RUN(rejects_removing_the_whole_document);
    RUN(rejects_replacing_a_missing_member);
    RUN(rejects_descending_into_a_scalar);
    RUN(rejects_an_unknown_op);
    RUN(rejects_an_operation_without_a_value);
    RUN(rejects_an_operation_without_a_path);
    RUN(rejects_a_move_without_from);
    RUN(rejects_a_pointer_without_a_leading_slash);
    RUN(rejects_a_bad_tilde_escape);
    RUN(rejects_a_patch_that_is_not_an_array);
    RUN(rejects_an_operation_that_is_not_an_object);
    RUN(escapes_tilde_and_slash_in_pointer_tokens);
    RUN(resolves_pointers_into_objects_and_arrays);
    return wgt_finish();
}
