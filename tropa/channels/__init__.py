"""Messaging channels beyond the web portal: today, the Telegram bot."""
