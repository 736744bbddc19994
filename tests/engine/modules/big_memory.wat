(module (memory 300))
