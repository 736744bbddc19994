;; Carries an io.kubewarden.metadata section that is not JSON (see custom/).
(module)
