"""Data protection: retention and anonymisation, legal holds, erasure on request. Consent
rules live with the migrants (migrants.consent)."""
