"""Sharing the guide: language-neutral links, QR codes, printable cards, calendars, feeds and
the embeddable widget. The blueprint is `guide.share.views.bp`."""
