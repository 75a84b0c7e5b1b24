"""Names of the events the write side records; views decide what to reload by these."""

ORDER_PLACED = "OrderPlaced"
ORDER_PAID = "OrderPaid"
ORDER_STATUS_CHANGED = "OrderStatusChanged"
STAFF_CALLED = "StaffCalled"
STAFF_CALL_ACKNOWLEDGED = "StaffCallAcknowledged"
MENU_CHANGED = "MenuChanged"
TABLE_CLEARED = "TableCleared"
BOARD_SETTINGS_CHANGED = "BoardSettingsChanged"  # the store's amber/red minutes
# Not recorded: delivered by a process that may have missed events, so views reload their read models.
RESYNC = "Resync"

# What the live board folds in; placed-but-unpaid orders and menu edits change nothing on it.
BOARD_EVENTS = frozenset({ORDER_PAID, ORDER_STATUS_CHANGED, STAFF_CALLED, STAFF_CALL_ACKNOWLEDGED, RESYNC,
                          BOARD_SETTINGS_CHANGED})
