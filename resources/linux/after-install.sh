#!/bin/sh
# Reload udev so that the optical-head rule installed with the package applies at once.
if command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty || true
fi
exit 0
