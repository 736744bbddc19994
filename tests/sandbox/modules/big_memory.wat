;; Declares more memory than the default limit allows (300 pages > 256).
(module
  (memory (export "memory") 300)
  (func (export "_start")))
