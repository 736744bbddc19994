;; The shape of an Extism plugin: kernel imports from extism:host/env. It is
;; also a reactor (_initialize), which must not hide the Extism ABI.
(module
  (import "extism:host/env" "input_length" (func (result i64)))
  (import "extism:host/env" "alloc" (func (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "greet") (result i32) (i32.const 0)))
