;; bad_no_entry.wat — a WASI module exporting none of authn, authz, validate.
(module
  (memory (export "memory") 1)
  (func (export "_start"))
)
