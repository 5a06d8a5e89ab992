"""What every process reads the same way: the settings (ports, variables, the var dir, the
secret) and the one clock. Imports nothing of Apuri's own."""
