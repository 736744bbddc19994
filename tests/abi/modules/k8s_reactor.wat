;; k8s_reactor.wat — a k8s-wasm module built like a WASI reactor: it exports _initialize,
;; which the host must call once before the entry point, and _start, which the host must
;; never call (it traps). `validate` answers correctly for the uid "abi-uid-1" only when
;; _initialize ran exactly once before it; otherwise it answers with an error saying so.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $initialized (mut i32) (i32.const 0))

  (data (i32.const 1024)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"abi-uid-1\",\"allowed\":true}}}\00")
  (data (i32.const 2048) "{\"error\":\"k8s_reactor: _initialize did not run exactly once\"}\00")

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $say (param $p i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (call $strlen (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_initialize")
    (global.set $initialized (i32.add (global.get $initialized) (i32.const 1))))
  (func (export "_start") (unreachable))
  (func (export "validate")
    (if (i32.eq (global.get $initialized) (i32.const 1))
      (then (call $say (i32.const 1024)))
      (else (call $say (i32.const 2048)))))
)
