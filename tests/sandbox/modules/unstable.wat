;; An old module: imports wasi_unstable (snapshot 0) and writes to stdout.
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "unstable ok\n")
  (data (i32.const 0) "\10\00\00\00\0c\00\00\00")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
