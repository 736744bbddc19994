;; wapc_init.wat — a Kubewarden (waPC) guest with start-up code, as TinyGo builds them:
;; `_start` (which ends in proc_exit(0), as TinyGo's runtime does) and then `wapc_init` must
;; each run once, in that order, in every fresh instance before __guest_call. `validate`
;; accepts with the message "started and initialised once, in order" when they did, and
;; fails through __guest_error otherwise (also when __guest_call runs twice in one
;; instance). validate_settings is {"valid": true}.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)

  ;; ---- Helpers shared by the waPC test guests (each file is self-contained) ----
  ;; Memory: 0-1023 scratch, 1024-8191 texts (NUL-terminated), 8192+ the operation name
  ;; (at most 4096 bytes), 65536+ the payload (memory grows to fit it).
  (global $op_len (mut i32) (i32.const 0))
  (global $msg_len (mut i32) (i32.const 0))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $respond (param $p i32) (call $guest_response (local.get $p) (call $strlen (local.get $p))))
  (func $fail (param $p i32) (call $guest_error (local.get $p) (call $strlen (local.get $p))))
  (func $log (param $p i32) (call $console_log (local.get $p) (call $strlen (local.get $p))))

  ;; True when the $n bytes at $a equal the $n bytes at $b.
  (func $same (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $k i32)
    (block $differ
      (loop $cmp
        (if (i32.ge_u (local.get $k) (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $k)))
                               (i32.load8_u (i32.add (local.get $b) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $cmp)))
    (i32.const 0))

  ;; True when the operation is the NUL-terminated name at $p.
  (func $op_is (param $p i32) (result i32)
    (if (i32.ne (global.get $op_len) (call $strlen (local.get $p))) (then (return (i32.const 0))))
    (call $same (i32.const 8192) (local.get $p) (global.get $op_len)))

  ;; True when the NUL-terminated $needle occurs in the payload.
  (func $payload_has (param $needle i32) (result i32)
    (local $n i32) (local $i i32)
    (local.set $n (call $strlen (local.get $needle)))
    (block $no
      (loop $at
        (br_if $no (i32.gt_u (i32.add (local.get $i) (local.get $n)) (global.get $msg_len)))
        (if (call $same (i32.add (i32.const 65536) (local.get $i)) (local.get $needle) (local.get $n))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $at)))
    (i32.const 0))

  ;; Records the lengths, makes room and asks the host for the operation and the payload.
  ;; Returns 0 (after __guest_error) when they cannot be received.
  (func $receive (param $op_len i32) (param $msg_len i32) (result i32)
    (global.set $op_len (local.get $op_len))
    (global.set $msg_len (local.get $msg_len))
    (if (i32.gt_u (local.get $op_len) (i32.const 4096))
      (then (call $fail (i32.const 1024)) (return (i32.const 0))))
    (block $fits
      (loop $grow
        (br_if $fits (i32.le_u (i32.add (i32.const 65536) (local.get $msg_len))
                               (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
          (then (call $fail (i32.const 1056)) (return (i32.const 0))))
        (br $grow)))
    (call $guest_request (i32.const 8192) (i32.const 65536))
    (i32.const 1))

  (data (i32.const 1024) "operation name too long\00")
  (data (i32.const 1056) "payload too large\00")
  (data (i32.const 1088) "validate\00")
  (data (i32.const 1104) "validate_settings\00")
  (data (i32.const 1128) "protocol_version\00")
  (data (i32.const 1152) "{\"valid\":true}\00")
  (data (i32.const 1168) "\"v1\"\00")

  (global $started (mut i32) (i32.const 0))
  (global $initialised (mut i32) (i32.const 0))
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 2048)
    "{\"accepted\":true,\"message\":\"started and initialised once, in order\"}\00")
  (data (i32.const 2128) "wapc_init: start-up did not run once, in order\00")

  (func (export "_start")
    (global.set $started (i32.add (global.get $started) (i32.const 1)))
    (call $proc_exit (i32.const 0)))
  (func (export "wapc_init")
    (if (i32.eq (global.get $started) (i32.const 1))
      (then (global.set $initialised (i32.add (global.get $initialised) (i32.const 1))))))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.eqz (call $receive (local.get $op_len) (local.get $msg_len))) (then (return (i32.const 0))))
    (if (call $op_is (i32.const 1104)) (then (call $respond (i32.const 1152)) (return (i32.const 1))))
    (if (i32.and (i32.eq (global.get $calls) (i32.const 1))
                 (i32.and (i32.eq (global.get $started) (i32.const 1))
                          (i32.eq (global.get $initialised) (i32.const 1))))
      (then (call $respond (i32.const 2048)) (return (i32.const 1))))
    (call $fail (i32.const 2128))
    (i32.const 0))
)
