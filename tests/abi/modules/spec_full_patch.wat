;; spec_full_patch.wat — a hand-written k8s-wasm mutating module (abis.md §2), without the
;; C SDK: it answers with the spec's own form of mutation, patchType "Full", whose patch is the
;; base64 of the whole mutated object.
;;
;; It exports `validate` (no _start, no _initialize), reads stdin with fd_read, copies the
;; uid of request.request (found by the same byte-level scan as spec_validate.wat: a depth
;; counter and the keys seen at depths 1 and 2) and writes
;;
;;   {"response":{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
;;                "response":{"uid":"<the request's uid>","allowed":true,
;;                            "patchType":"Full","patch":"<base64 below>"}}}
;;
;; The patch is FIXED, made for tests/fixtures/admission/pod-create.json: it is that
;; request's object with one label added, compact, in the fixture's member order:
;;
;;   {"kind":"Pod","apiVersion":"v1","metadata":{"name":"nginx","namespace":"default",
;;    "labels":{"app":"nginx","env":"test","wasmgate.io/mutated":"true"}},
;;    "spec":{"containers":[{"name":"nginx","image":"nginx:1.27",
;;    "ports":[{"containerPort":80}],"resources":{}}]},"status":{}}
;;
;; so a host given that fixture (this module configured as mutating) must answer with the
;; JSON Patch [{"op":"add","path":"/metadata/labels/wasmgate.io~1mutated","value":"true"}].
;; Given another request it still returns this Pod, which a host diffs against whatever
;; object it sent. Without a uid it writes {"error":"spec_full_patch: ..."}; if stdin cannot
;; be read, or memory cannot grow, it exits through proc_exit(1).
;;
;; Memory: 0-63 WASI scratch, 1024+ constant texts, 65536+ the input (grown as it is read).
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 2)

  (global $input i32 (i32.const 65536))
  ;; Where the uid was found: offset and length of its text (set by $find_uid).
  (global $uid_start (mut i32) (i32.const 0))
  (global $uid_len (mut i32) (i32.const 0))

  (data (i32.const 1024) "request")            ;; 7 bytes
  (data (i32.const 1032) "uid")                ;; 3 bytes
  ;; The answer around the uid: 92 bytes before it, 409 after it.
  (data (i32.const 1040)
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"")
  (data (i32.const 1140)
    "\",\"allowed\":true,\"patchType\":\"Full\",\"patch\":\""
    "eyJraW5kIjoiUG9kIiwiYXBpVmVyc2lvbiI6InYxIiwibWV0YWRhdGEiOnsibmFtZSI6Im5naW54IiwibmFtZXNwYWNlIjoiZGVmYXVsdCIsImxhYmVscyI6eyJhcHAiOiJuZ2lueCIsImVudiI6InRlc3QiLCJ3YXNtZ2F0ZS5pby9tdXRhdGVkIjoidHJ1ZSJ9fSwic3BlYyI6eyJjb250YWluZXJzIjpbeyJuYW1lIjoibmdpbngiLCJpbWFnZSI6Im5naW54OjEuMjciLCJwb3J0cyI6W3siY29udGFpbmVyUG9ydCI6ODB9XSwicmVzb3VyY2VzIjp7fX1dfSwic3RhdHVzIjp7fX0="
    "\"}}}")
  ;; 71 bytes.
  (data (i32.const 1600) "{\"error\":\"spec_full_patch: request.request.uid not found in the input\"}")

  ;; Reads all of stdin to $input; returns its length. Exits with status 1 when the read
  ;; fails or memory cannot grow.
  (func $read_all (result i32)
    (local $len i32) (local $room i32)
    (loop $more
      ;; Keep at least one free page after what was read.
      (local.set $room
        (i32.sub (i32.mul (memory.size) (i32.const 65536))
                 (i32.add (global.get $input) (local.get $len))))
      (if (i32.lt_u (local.get $room) (i32.const 65536))
        (then
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
            (then (call $proc_exit (i32.const 1))))
          (local.set $room (i32.add (local.get $room) (i32.const 65536)))))
      ;; iovec {buf, len} at 0; the count of bytes read at 8.
      (i32.store (i32.const 0) (i32.add (global.get $input) (local.get $len)))
      (i32.store (i32.const 4) (local.get $room))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
        (then (call $proc_exit (i32.const 1))))
      (if (i32.load (i32.const 8))
        (then
          (local.set $len (i32.add (local.get $len) (i32.load (i32.const 8))))
          (br $more))))
    (local.get $len))

  ;; True when the $len bytes at $a equal the $n bytes at $b.
  (func $equal (param $a i32) (param $len i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $len) (local.get $n)) (then (return (i32.const 0))))
    (block $differ
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                  (i32.load8_u (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; The offset just past the string whose opening quote is at $at (escapes skipped), or
  ;; 0 when it is not closed before $end (the input is never at offset 0).
  (func $skip_string (param $at i32) (param $end i32) (result i32)
    (local $i i32) (local $c i32)
    (local.set $i (i32.add (local.get $at) (i32.const 1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.eq (local.get $c) (i32.const 34))     ;; '"'
          (then (return (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i
          (i32.add (local.get $i) (select (i32.const 2) (i32.const 1)
                                          (i32.eq (local.get $c) (i32.const 92))))) ;; '\'
        (br $next)))
    (i32.const 0))

  ;; The offset of the first byte at or after $i that is not JSON whitespace.
  (func $skip_space (param $i i32) (param $end i32) (result i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (br_if $done
          (i32.and
            (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9)))
            (i32.and (i32.ne (local.get $c) (i32.const 10)) (i32.ne (local.get $c) (i32.const 13)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  ;; Scans the $len bytes of input for request.request.uid; sets $uid_start and $uid_len and
  ;; returns 1 when found, 0 otherwise.
  (func $find_uid (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $c i32) (local $depth i32)
    (local $start i32) (local $after i32) (local $key_len i32)
    (local $request1 i32)  ;; the member being read at depth 1 is "request"
    (local $request2 i32)  ;; the member being read at depth 2 is "request"
    (local.set $i (global.get $input))
    (local.set $end (i32.add (global.get $input) (local.get $len)))
    (block $not_found
      (loop $scan
        (br_if $not_found (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (block $next_byte
          ;; '{' or '[': one level deeper.
          (if (i32.or (i32.eq (local.get $c) (i32.const 123)) (i32.eq (local.get $c) (i32.const 91)))
            (then
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (br $next_byte)))
          ;; '}' or ']': one level up.
          (if (i32.or (i32.eq (local.get $c) (i32.const 125)) (i32.eq (local.get $c) (i32.const 93)))
            (then
              (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
              (br $next_byte)))
          (br_if $next_byte (i32.ne (local.get $c) (i32.const 34)))
          ;; A string: a key when a ':' follows it.
          (local.set $start (i32.add (local.get $i) (i32.const 1)))
          (local.set $after (call $skip_string (local.get $i) (local.get $end)))
          (br_if $not_found (i32.eqz (local.get $after)))
          (local.set $i (call $skip_space (local.get $after) (local.get $end)))
          (if (i32.or (i32.ge_u (local.get $i) (local.get $end))
                      (i32.ne (i32.load8_u (local.get $i)) (i32.const 58)))   ;; ':'
            (then (br $scan)))   ;; a value string: $i is already past it
          ;; A key, of $after - 1 - $start bytes.
          (local.set $key_len (i32.sub (i32.sub (local.get $after) (i32.const 1)) (local.get $start)))
          (if (i32.eq (local.get $depth) (i32.const 1))
            (then (local.set $request1
                    (call $equal (local.get $start) (local.get $key_len) (i32.const 1024) (i32.const 7)))))
          (if (i32.eq (local.get $depth) (i32.const 2))
            (then (local.set $request2
                    (call $equal (local.get $start) (local.get $key_len) (i32.const 1024) (i32.const 7)))))
          (if (i32.and
                (i32.and (i32.eq (local.get $depth) (i32.const 3))
                         (i32.and (local.get $request1) (local.get $request2)))
                (call $equal (local.get $start) (local.get $key_len) (i32.const 1032) (i32.const 3)))
            (then
              ;; request.request.uid: its value must be a string.
              (local.set $i (call $skip_space (i32.add (local.get $i) (i32.const 1)) (local.get $end)))
              (br_if $not_found (i32.ge_u (local.get $i) (local.get $end)))
              (br_if $not_found (i32.ne (i32.load8_u (local.get $i)) (i32.const 34)))
              (local.set $after (call $skip_string (local.get $i) (local.get $end)))
              (br_if $not_found (i32.eqz (local.get $after)))
              (global.set $uid_start (i32.add (local.get $i) (i32.const 1)))
              (global.set $uid_len (i32.sub (i32.sub (local.get $after) (i32.const 1))
                                            (global.get $uid_start)))
              (return (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))  ;; past the ':'
          (br $scan))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 0))

  ;; Writes $n iovecs starting at offset 16 to stdout. Exits with status 1 on failure.
  (func $write (param $n i32)
    (if (call $fd_write (i32.const 1) (i32.const 16) (local.get $n) (i32.const 12))
      (then (call $proc_exit (i32.const 1)))))

  (func (export "validate")
    (if (call $find_uid (call $read_all))
      (then
        (i32.store (i32.const 16) (i32.const 1040))        ;; prefix
        (i32.store (i32.const 20) (i32.const 92))
        (i32.store (i32.const 24) (global.get $uid_start)) ;; the uid
        (i32.store (i32.const 28) (global.get $uid_len))
        (i32.store (i32.const 32) (i32.const 1140))        ;; suffix
        (i32.store (i32.const 36) (i32.const 409))
        (call $write (i32.const 3)))
      (else
        (i32.store (i32.const 16) (i32.const 1600))
        (i32.store (i32.const 20) (i32.const 71))
        (call $write (i32.const 1)))))
)
