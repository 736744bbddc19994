;; bad_unknown_wasi.wat — imports a WASI name that does not exist: refused at load.
(module
  (import "wasi_snapshot_preview1" "not_a_function" (func $nope))
  (memory (export "memory") 1)
  (func (export "validate") (call $nope))
)
