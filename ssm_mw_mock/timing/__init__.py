"""Pure time: the fake clock and schedule expressions (cron, rate, at) with zones, offsets and bounds."""
