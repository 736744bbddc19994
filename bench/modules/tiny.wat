;; tiny.wat — the module wgbench instantiates and calls to measure fixed costs:
;; instantiation (one memory page, two globals, a data segment, a few
;; functions) and the host->wasm call overhead (the "id" export).
;; Keep it small: it stands for the smallest useful policy module.
(module
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (global $scale i32 (i32.const 3))
  (data (i32.const 16) "wasmgate tiny module\00")

  ;; The call-overhead probe: as little work as a call can do.
  (func (export "id") (param i32) (result i32)
    local.get 0)

  (func $count (result i32)
    global.get $calls
    i32.const 1
    i32.add
    global.set $calls
    global.get $calls)

  (func (export "scaled") (param i32) (result i32)
    call $count
    drop
    local.get 0
    global.get $scale
    i32.mul)

  ;; Sums the bytes of the data segment's string, so a runner can check that the
  ;; segment was applied (wgbench compares it with the same string).
  (func (export "checksum") (result i32)
    (local $i i32) (local $byte i32) (local $sum i32)
    (block $done
      (loop $next
        (local.set $byte (i32.load8_u offset=16 (local.get $i)))
        (br_if $done (i32.eqz (local.get $byte)))
        (local.set $sum (i32.add (local.get $sum) (local.get $byte)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
