<?php
/**
 * BBWS deep check: PHP, the WordPress configuration and the tenant's database, answered on the
 * task's loopback listener only (apache/bbws.conf). The cron timer (bin/bbws-cron-loop) calls
 * it every run and reports the result as the DeepCheckFailed metric, which drives a CloudWatch
 * alarm; the ALB and ECS health checks never call it, so a database incident raises an alarm
 * instead of replacing every task.
 *
 * 200 "ok": WordPress is installed and its database answers. Anything else is a failure: a
 * database that does not answer makes WordPress itself answer 500 ("Error establishing a
 * database connection"), a site that is not installed answers 503 here.
 */
define('SHORTINIT', true);
require (getenv('BBWS_WP_ROOT') ?: '/var/www/html') . '/wp-load.php';

header('Cache-Control: no-store');
header('Content-Type: text/plain');
global $wpdb;
if ((string) $wpdb->get_var('SELECT 1') !== '1' || !is_blog_installed()) {
    http_response_code(503);
    echo "not ready\n";
    exit;
}
echo "ok\n";
