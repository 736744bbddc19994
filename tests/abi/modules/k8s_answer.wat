;; k8s_answer.wat — a well-behaved k8s-wasm module for the ABI tests: each export writes a
;; fixed, valid answer for its review kind to stdout and one line naming itself to stderr
;; (the module's log). It does not read stdin; the tests' reviews use the uid "abi-uid-1".
;; Strings are NUL-terminated and measured at run time, so no length is written by hand.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  (data (i32.const 1024)
    "{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
    "\"status\":{\"authenticated\":true,\"user\":{\"username\":\"abi-user\",\"groups\":[\"abi\"]}}}}\00")
  (data (i32.const 2048)
    "{\"response\":{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
    "\"status\":{\"allowed\":true,\"reason\":\"k8s_answer allows everything\"}}}\00")
  (data (i32.const 3072)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"abi-uid-1\",\"allowed\":true}}}\00")
  (data (i32.const 4096) "k8s_answer: authn\0a\00")
  (data (i32.const 4128) "k8s_answer: authz\0a\00")
  (data (i32.const 4160) "k8s_answer: validate\0a\00")

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Writes the NUL-terminated text at $p to $fd (iovec at 0, count at 8).
  (func $say (param $fd i32) (param $p i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (call $strlen (local.get $p)))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "authn") (call $say (i32.const 2) (i32.const 4096)) (call $say (i32.const 1) (i32.const 1024)))
  (func (export "authz") (call $say (i32.const 2) (i32.const 4128)) (call $say (i32.const 1) (i32.const 2048)))
  (func (export "validate") (call $say (i32.const 2) (i32.const 4160)) (call $say (i32.const 1) (i32.const 3072)))
)
