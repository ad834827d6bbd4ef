DROP FUNCTION csv_time(timestamptz);
DROP FUNCTION csv_cell(text);
DROP TRIGGER change_events_webhooks ON change_events;
DROP FUNCTION enqueue_webhook_deliveries();
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
