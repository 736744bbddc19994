;; spec_error.wat — a hand-written k8s-wasm module (abis.md §2) that always fails the way the
;; spec allows a module to: it answers {"error": "..."} on stdout, with exit status 0.
;;
;; The same function is exported as `authn`, `authz` and `validate`, so one module exercises
;; the error envelope for every review kind. It does not read stdin (a module need not), and
;; it writes a diagnostic line to stderr, which the host keeps as the module's log and never
;; sends to kube-apiserver. No _start, no _initialize.
;;
;; stdout: {"error":"spec_error: this module always fails"}          (48 bytes)
;; stderr: spec_error: answering with an error envelope\n            (45 bytes)
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  (data (i32.const 1024) "{\"error\":\"spec_error: this module always fails\"}")
  (data (i32.const 1088) "spec_error: answering with an error envelope\n")

  ;; Writes $len bytes at $text to file descriptor $fd, through the iovec at 0 (the count of
  ;; bytes written goes to 8). A failure is ignored: there is nowhere left to report it, and
  ;; the host sees the short output.
  (func $write (param $fd i32) (param $text i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $text))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $fail
    (call $write (i32.const 2) (i32.const 1088) (i32.const 45))
    (call $write (i32.const 1) (i32.const 1024) (i32.const 48)))

  (export "authn" (func $fail))
  (export "authz" (func $fail))
  (export "validate" (func $fail))
)
