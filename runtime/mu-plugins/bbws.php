<?php
/**
 * Plugin Name: BBWS runtime
 * Description: What the BBWS platform keeps in code rather than in settings: outgoing mail
 * through Amazon SES, and core changes only by image rollout. Loaded from the image
 * (WPMU_PLUGIN_DIR), not from wp-content, so a tenant cannot change or remove it.
 */

if (!defined('ABSPATH')) {
    exit;
}

// Core is part of the image: it changes only by an image rollout, never by WordPress itself
// (WP_AUTO_UPDATE_CORE is false as well; this also hides the update nags).
add_filter('auto_update_core', '__return_false');
add_filter('pre_site_transient_update_core', function () {
    return (object) ['last_checked' => time(), 'version_checked' => get_bloginfo('version'), 'updates' => []];
});

/**
 * Outgoing mail: SMTP to Amazon SES on port 587 with STARTTLS, with the tenant's SMTP
 * credentials (a secret injected by ECS) and the environment's verified sender domain.
 * Without BBWS_SMTP_HOST (no SES identity configured) WordPress keeps its default transport.
 */
add_action('phpmailer_init', function ($mailer) {
    $host = getenv('BBWS_SMTP_HOST');
    if (!$host) {
        return;
    }
    $mailer->isSMTP();
    $mailer->Host = $host;
    $mailer->Port = (int) (getenv('BBWS_SMTP_PORT') ?: 587);
    $mailer->SMTPSecure = 'tls';
    $mailer->SMTPAutoTLS = true;
    $mailer->SMTPAuth = true;
    $mailer->Username = (string) getenv('BBWS_SMTP_USER');
    $mailer->Password = (string) getenv('BBWS_SMTP_PASSWORD');
    $mailer->Timeout = 15;
});

// SES sends only from the verified identity: every message leaves as the tenant's own address
// on it, with the site's name; replies still reach whoever WordPress sets as Reply-To.
add_filter('wp_mail_from', function ($from) {
    return getenv('BBWS_MAIL_FROM') ?: $from;
});
add_filter('wp_mail_from_name', function ($name) {
    return getenv('BBWS_MAIL_FROM') ? wp_specialchars_decode(get_bloginfo('name'), ENT_QUOTES) : $name;
});

// A failed send is otherwise silent (wp_mail() only returns false): log it for CloudWatch.
add_action('wp_mail_failed', function ($error) {
    error_log('bbws: wp_mail failed: ' . $error->get_error_message());
});
