-- One row per weekly report handed to the mail server: a scheduled run does not send the same
-- week's report to the same people twice (`tiekeeper run --resend` does; `tiekeeper send` always sends).
create table if not exists report_deliveries (
    iso_week      varchar not null,      -- the report's week, e.g. 2026-W48
    recipients    varchar[] not null,
    message_id    varchar not null,
    sent_at       timestamptz not null,
    server_answer varchar                -- what the SMTP server said when it took the message
);
