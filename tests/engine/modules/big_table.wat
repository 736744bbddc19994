;; A table whose minimum size is above the instance's element limit.
(module (table 2000000 funcref))
