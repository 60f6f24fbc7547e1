"""Runnable stand-ins for the AMS endpoints (real ODBC database, real HTTP/SOAP on loopback)."""
