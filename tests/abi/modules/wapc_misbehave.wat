;; wapc_misbehave.wat — a Kubewarden (waPC) guest that misbehaves on request: the waPC
;; operation names the misbehaviour.
;;   oob_request        __guest_request into a buffer past the end of memory (trap)
;;   oob_response       __guest_response of a range past the end of memory (trap)
;;   oob_host_call      __host_call with a binding past the end of memory (trap)
;;   oob_log            __console_log of a range past the end of memory (trap)
;;   big_response       __guest_response of 100,000 bytes (the tests cap output lower)
;;   return_2           returns 2 from __guest_call
;;   no_answer          returns 1 without a response (an empty output)
;;   fail_silently      returns 0 without __guest_error
;;   error_and_success  __guest_error, then returns 1
;;   dirty_error        __guest_error with a newline, a tab and invalid UTF-8
;;   loop               loops forever
;;   console            two __console_log lines, then responds "logged"
;;   host_call_unknown  __host_call("evil", "thing", "do") and responds with the host error
;;   host_call_flood    20 refused __host_calls, then responds "flooded"
;;   exit0              responds "answered", then proc_exit(0)
;;   exit0_silent       proc_exit(0) without responding
;;   exit7              proc_exit(7)
;;   echo               responds with the payload
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (import "wapc" "__host_call"
    (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
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

  (data (i32.const 2048) "oob_request\00")
  (data (i32.const 2064) "oob_response\00")
  (data (i32.const 2080) "oob_host_call\00")
  (data (i32.const 2096) "oob_log\00")
  (data (i32.const 2112) "big_response\00")
  (data (i32.const 2128) "return_2\00")
  (data (i32.const 2144) "no_answer\00")
  (data (i32.const 2160) "fail_silently\00")
  (data (i32.const 2176) "error_and_success\00")
  (data (i32.const 2208) "dirty_error\00")
  (data (i32.const 2224) "loop\00")
  (data (i32.const 2240) "console\00")
  (data (i32.const 2256) "host_call_unknown\00")
  (data (i32.const 2288) "host_call_flood\00")
  (data (i32.const 2304) "exit0\00")
  (data (i32.const 2320) "exit0_silent\00")
  (data (i32.const 2336) "exit7\00")
  (data (i32.const 2352) "echo\00")

  (data (i32.const 3072) "wapc_misbehave: half of it\00")
  (data (i32.const 3104) "line one\00")
  (data (i32.const 3120) "line two\00")
  (data (i32.const 3136) "logged\00")
  (data (i32.const 3152) "evil\00")
  (data (i32.const 3168) "thing\00")
  (data (i32.const 3184) "do\00")
  (data (i32.const 3200) "flooded\00")
  (data (i32.const 3216) "answered\00")
  (data (i32.const 3232) "wapc_misbehave: unknown operation\00")
  ;; "bad\nnews\tand \xff\xfe bytes"
  (data (i32.const 3280) "bad\0anews\09and \ff\fe bytes\00")

  (func $evil_call (result i32)
    (call $host_call (i32.const 3152) (i32.const 4) (i32.const 3168) (i32.const 5)
                     (i32.const 3184) (i32.const 2) (i32.const 0) (i32.const 0)))

  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $i i32)
    ;; Every operation receives its name and payload normally first; the oob_* ones then
    ;; misuse a host function.
    (if (i32.eqz (call $receive (local.get $op_len) (local.get $msg_len))) (then (return (i32.const 0))))
    (if (call $op_is (i32.const 2048))
      (then (call $guest_request (i32.const -16) (i32.const 65536)) (return (i32.const 1))))
    (if (call $op_is (i32.const 2064))
      (then (call $guest_response (i32.const 0) (i32.const 0x7fffffff)) (return (i32.const 1))))
    (if (call $op_is (i32.const 2080))
      (then
        (drop (call $host_call (i32.const -100) (i32.const 200) (i32.const 0) (i32.const 0)
                               (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
        (return (i32.const 1))))
    (if (call $op_is (i32.const 2096))
      (then (call $console_log (i32.const -1000) (i32.const 1000)) (return (i32.const 1))))
    (if (call $op_is (i32.const 2112))
      (then (call $guest_response (i32.const 0) (i32.const 100000)) (return (i32.const 1))))
    (if (call $op_is (i32.const 2128)) (then (return (i32.const 2))))
    (if (call $op_is (i32.const 2144)) (then (return (i32.const 1))))
    (if (call $op_is (i32.const 2160)) (then (return (i32.const 0))))
    (if (call $op_is (i32.const 2176))
      (then (call $fail (i32.const 3072)) (return (i32.const 1))))
    (if (call $op_is (i32.const 2208))
      (then (call $fail (i32.const 3280)) (return (i32.const 0))))
    (if (call $op_is (i32.const 2224))
      (then (loop $forever (br $forever))))
    (if (call $op_is (i32.const 2240))
      (then
        (call $log (i32.const 3104))
        (call $log (i32.const 3120))
        (call $respond (i32.const 3136))
        (return (i32.const 1))))
    (if (call $op_is (i32.const 2256))
      (then
        (if (call $evil_call) (then (return (i32.const 0))))
        (call $host_error (i32.const 4096))
        (call $guest_response (i32.const 4096) (call $host_error_len))
        (return (i32.const 1))))
    (if (call $op_is (i32.const 2288))
      (then
        (loop $again
          (drop (call $evil_call))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 20))))
        (call $respond (i32.const 3200))
        (return (i32.const 1))))
    (if (call $op_is (i32.const 2304))
      (then (call $respond (i32.const 3216)) (call $proc_exit (i32.const 0))))
    (if (call $op_is (i32.const 2320)) (then (call $proc_exit (i32.const 0))))
    (if (call $op_is (i32.const 2336)) (then (call $proc_exit (i32.const 7))))
    (if (call $op_is (i32.const 2352))
      (then (call $guest_response (i32.const 65536) (global.get $msg_len)) (return (i32.const 1))))
    (call $fail (i32.const 3232))
    (i32.const 0))
)
