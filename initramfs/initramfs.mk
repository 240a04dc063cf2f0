# SPDX-License-Identifier: GPL-2.0
# The capture initramfs builder is a shell script; nothing to compile.
