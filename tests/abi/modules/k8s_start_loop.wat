;; k8s_start_loop.wat — a k8s-wasm module whose WebAssembly start function never returns:
;; every call must end in a timeout during instantiation, and the host go on serving.
(module
  (memory (export "memory") 1)
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "validate"))
)
