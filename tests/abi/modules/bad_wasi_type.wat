;; bad_wasi_type.wat — imports fd_write with the wrong type: the trial link refuses it at load.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "validate") (drop (call $fd_write (i32.const 0))))
)
