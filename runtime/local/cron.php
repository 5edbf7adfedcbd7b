<?php
/**
 * BBWS cron run: runs the WordPress events that are due, as `wp cron event run --due-now` does,
 * on the task's loopback listener only (apache/bbws.conf). WordPress's own trigger is off
 * (DISABLE_WP_CRON) and the public /wp-cron.php is refused, so this is the only way events run:
 * the cron timer (bin/bbws-cron-loop) calls it on the tenant's schedule.
 *
 * It runs inside an Apache worker, so it uses one of the worker's database connections and
 * never more than the budget the workers were sized to. With several tasks, every task's timer
 * calls it; a MySQL named lock lets one run at a time. The lock's name is derived from the
 * tenant's secret salt: lock names are global to the database server, and another tenant must
 * not be able to hold this tenant's lock.
 *
 * Answers 200 "ran N" (events run), 200 "busy" (another task holds the lock), or WordPress's own
 * error status when it cannot load.
 */
define('DOING_CRON', true);
ignore_user_abort(true);
set_time_limit(300);
require (getenv('BBWS_WP_ROOT') ?: '/var/www/html') . '/wp-load.php';

header('Cache-Control: no-store');
header('Content-Type: text/plain');
global $wpdb;
$lock = 'bbws-cron-' . substr(hash_hmac('sha256', DB_NAME, AUTH_SALT), 0, 32);
if ((string) $wpdb->get_var($wpdb->prepare('SELECT GET_LOCK(%s, 0)', $lock)) !== '1') {
    echo "busy\n";
    exit;
}
$ran = 0;
try {
    foreach (wp_get_ready_cron_jobs() as $timestamp => $hooks) {
        foreach ($hooks as $hook => $events) {
            foreach ($events as $event) {
                // The order wp-cron.php uses: the next occurrence is scheduled before the event runs.
                if ($event['schedule']) {
                    wp_reschedule_event($timestamp, $event['schedule'], $hook, $event['args']);
                }
                wp_unschedule_event($timestamp, $hook, $event['args']);
                do_action_ref_array($hook, $event['args']);
                $ran++;
            }
        }
    }
} finally {
    $wpdb->query($wpdb->prepare('SELECT RELEASE_LOCK(%s)', $lock));
}
echo "ran {$ran}\n";
