(module
  (import "env" "missing" (func (param i32)))
  (import "env" "mem" (memory 2))
)
