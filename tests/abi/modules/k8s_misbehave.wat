;; k8s_misbehave.wat — a k8s-wasm module that misbehaves on request, for the ABI tests.
;;
;; `validate` reads all of stdin and looks for a marker (the tests put it in the settings,
;; e.g. {"request": ..., "settings": "@trap@"}); the first marker found, in the order below,
;; picks what it does. Without a marker it answers correctly for the uid "abi-uid-1".
;;
;;   @invalid-json@   writes a truncated JSON text
;;   @wrong-kind@     answers an AdmissionReview with a TokenReview
;;   @uid-mismatch@   answers for the uid "someone-else"
;;   @patch@          allows with a JSONPatch adding the label patched=yes
;;   @silent@         writes nothing
;;   @error@          answers {"error": "k8s_misbehave: asked to fail"}
;;   @trap@           executes `unreachable`
;;   @loop@           loops forever (timeout, or fuel)
;;   @exit3@          proc_exit(3)
;;   @exit0@          answers correctly, then proc_exit(0)
;;   @flood@          writes 64 KiB blocks to stdout forever (output limit)
;;   @grow@           grows memory one page at a time forever (memory limit)
;;   @recurse@        recurses without end (call stack exhausted)
;;   @chatty@         writes 1 MiB to stderr, then answers correctly (stderr is cut, not fatal)
;;   @echo@           copies stdin to stdout (the tests check each caller gets its own input)
;;
;; Memory: 0-63 WASI scratch, 1024+ texts (NUL-terminated), 65536+ the input.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 2)
  (global $input i32 (i32.const 65536))

  ;; Markers.
  (data (i32.const 1024) "@invalid-json@\00")
  (data (i32.const 1040) "@wrong-kind@\00")
  (data (i32.const 1056) "@uid-mismatch@\00")
  (data (i32.const 1072) "@patch@\00")
  (data (i32.const 1088) "@silent@\00")
  (data (i32.const 1104) "@error@\00")
  (data (i32.const 1120) "@trap@\00")
  (data (i32.const 1136) "@loop@\00")
  (data (i32.const 1152) "@exit3@\00")
  (data (i32.const 1168) "@exit0@\00")
  (data (i32.const 1184) "@flood@\00")
  (data (i32.const 1200) "@grow@\00")
  (data (i32.const 1216) "@recurse@\00")
  (data (i32.const 1232) "@chatty@\00")
  (data (i32.const 1248) "@echo@\00")

  ;; Answers.
  (data (i32.const 2048)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"abi-uid-1\",\"allowed\":true}}}\00")
  (data (i32.const 2304) "{\"response\": {\"apiVersion\": \"admission.k8s.io/v1\"\00")
  (data (i32.const 2432)
    "{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
    "\"status\":{\"authenticated\":true,\"user\":{\"username\":\"x\"}}}}\00")
  (data (i32.const 2688)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"someone-else\",\"allowed\":true}}}\00")
  ;; patch: base64 of [{"op":"add","path":"/metadata/labels/patched","value":"yes"}]
  (data (i32.const 2944)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
    "\"response\":{\"uid\":\"abi-uid-1\",\"allowed\":true,\"patchType\":\"JSONPatch\","
    "\"patch\":\"W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscy9wYXRjaGVkIiwidmFsdWUiOiJ5ZXMifV0=\"}}}\00")
  (data (i32.const 3328) "{\"error\":\"k8s_misbehave: asked to fail\"}\00")
  (data (i32.const 3392) "k8s_misbehave: chatty line of diagnostics that goes on and on .......\0a\00")

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Writes $len bytes at $p to $fd (iovec at 0, count at 8); returns the errno.
  (func $write (param $fd i32) (param $p i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))

  (func $say (param $fd i32) (param $p i32)
    (drop (call $write (local.get $fd) (local.get $p) (call $strlen (local.get $p)))))

  ;; Reads all of stdin to $input, growing memory as needed; returns its length.
  (func $read_all (result i32)
    (local $len i32) (local $room i32)
    (loop $more
      (local.set $room
        (i32.sub (i32.mul (memory.size) (i32.const 65536))
                 (i32.add (global.get $input) (local.get $len))))
      (if (i32.lt_u (local.get $room) (i32.const 65536))
        (then
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
            (then (call $proc_exit (i32.const 1))))
          (local.set $room (i32.add (local.get $room) (i32.const 65536)))))
      (i32.store (i32.const 0) (i32.add (global.get $input) (local.get $len)))
      (i32.store (i32.const 4) (local.get $room))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
        (then (call $proc_exit (i32.const 1))))
      (if (i32.load (i32.const 8))
        (then
          (local.set $len (i32.add (local.get $len) (i32.load (i32.const 8))))
          (br $more))))
    (local.get $len))

  ;; True when the NUL-terminated $needle occurs in the $len bytes at $input.
  (func $contains (param $len i32) (param $needle i32) (result i32)
    (local $n i32) (local $i i32) (local $k i32)
    (local.set $n (call $strlen (local.get $needle)))
    (block $no
      (loop $at
        (br_if $no (i32.gt_u (i32.add (local.get $i) (local.get $n)) (local.get $len)))
        (local.set $k (i32.const 0))
        (block $differ
          (loop $cmp
            (if (i32.ge_u (local.get $k) (local.get $n)) (then (return (i32.const 1))))
            (br_if $differ
              (i32.ne (i32.load8_u (i32.add (i32.add (global.get $input) (local.get $i)) (local.get $k)))
                      (i32.load8_u (i32.add (local.get $needle) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cmp)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $at)))
    (i32.const 0))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "validate")
    (local $len i32) (local $i i32)
    (local.set $len (call $read_all))
    (if (call $contains (local.get $len) (i32.const 1024))
      (then (call $say (i32.const 1) (i32.const 2304)) (return)))
    (if (call $contains (local.get $len) (i32.const 1040))
      (then (call $say (i32.const 1) (i32.const 2432)) (return)))
    (if (call $contains (local.get $len) (i32.const 1056))
      (then (call $say (i32.const 1) (i32.const 2688)) (return)))
    (if (call $contains (local.get $len) (i32.const 1072))
      (then (call $say (i32.const 1) (i32.const 2944)) (return)))
    (if (call $contains (local.get $len) (i32.const 1088))
      (then (return)))
    (if (call $contains (local.get $len) (i32.const 1104))
      (then (call $say (i32.const 1) (i32.const 3328)) (return)))
    (if (call $contains (local.get $len) (i32.const 1120))
      (then (unreachable)))
    (if (call $contains (local.get $len) (i32.const 1136))
      (then (loop $forever (br $forever))))
    (if (call $contains (local.get $len) (i32.const 1152))
      (then (call $proc_exit (i32.const 3))))
    (if (call $contains (local.get $len) (i32.const 1168))
      (then (call $say (i32.const 1) (i32.const 2048)) (call $proc_exit (i32.const 0))))
    (if (call $contains (local.get $len) (i32.const 1184))
      (then
        (loop $flood
          (br_if $flood (i32.eqz (call $write (i32.const 1) (i32.const 0) (i32.const 65536)))))
        (return)))
    (if (call $contains (local.get $len) (i32.const 1200))
      (then
        (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
        (return)))
    (if (call $contains (local.get $len) (i32.const 1216))
      (then (drop (call $recurse (i32.const 0))) (return)))
    (if (call $contains (local.get $len) (i32.const 1232))
      (then
        (loop $chat
          (call $say (i32.const 2) (i32.const 3392))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $chat (i32.lt_u (local.get $i) (i32.const 15000))))
        (call $say (i32.const 1) (i32.const 2048))
        (return)))
    (if (call $contains (local.get $len) (i32.const 1248))
      (then (drop (call $write (i32.const 1) (global.get $input) (local.get $len))) (return)))
    (call $say (i32.const 1) (i32.const 2048)))
)
