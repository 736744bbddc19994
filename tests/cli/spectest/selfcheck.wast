;; A deliberately failing script: `wasmgate spectest` must report exactly
;; three failures here. If it ever reports none, the runner is broken (it
;; would let every engine bug through), and the spectest_runner_selfcheck
;; test fails.

(module
  (func (export "one") (result i32) (i32.const 1))
  ;; An arithmetic NaN (quiet bit set) whose payload is not canonical.
  (func (export "noncanonical-nan") (result f32) (f32.const nan:0x600000)))

(assert_return (invoke "one") (i32.const 1))                    ;; passes
(assert_return (invoke "one") (i32.const 2))                    ;; fails: wrong value
(assert_trap (invoke "one") "unreachable")                      ;; fails: does not trap
(assert_return (invoke "noncanonical-nan") (f32.const nan:arithmetic))  ;; passes
(assert_return (invoke "noncanonical-nan") (f32.const nan:canonical))   ;; fails: payload
(assert_malformed (module quote "(module") "unexpected end")    ;; skipped: text format
