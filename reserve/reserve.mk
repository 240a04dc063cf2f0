# SPDX-License-Identifier: GPL-2.0
# Sizing and boot-parameter helpers; their C parts are linked into the lifeboat command.
