"""Names of the events the write side records; views decide what to reload by these."""

ORDER_PAID = "OrderPaid"
ORDER_STATUS_CHANGED = "OrderStatusChanged"
STAFF_CALLED = "StaffCalled"
STAFF_CALL_ACKNOWLEDGED = "StaffCallAcknowledged"
MENU_CHANGED = "MenuChanged"
TABLE_CLEARED = "TableCleared"
# Not recorded: delivered by a process that may have missed events, so views reload their read models.
RESYNC = "Resync"
