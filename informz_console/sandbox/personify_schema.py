"""The Personify sandbox database layout: what the PDS entity sets read and write.

Table names are the sandbox's own (Personify's real tables are not public); the entity sets the
OData server exposes over them (`personify_entities`) carry the names of DOMAIN.md, Personify360.
Dates are stored as UTC text `YYYY-MM-DD HH:MM:SS`; flags as 0/1.

- `Customer`: one row per (MasterCustomerId, SubCustomerId); SubCustomerId > 0 is a sub-customer.
- `MarketingList` / `MarketingListMember`: MKT lists and their members as the last regeneration
  (MKT510/MKT600) left them: a snapshot, not a live query (seed 001).
- `Sandbox_ListRule`: ours only, the WHERE clause over `Customer` a regeneration evaluates.
- `CustomerCommunicationUpdate`: one row per writeback received (the activity record).
"""

from __future__ import annotations

import sqlite3

TABLES = """
CREATE TABLE Customer (
    MasterCustomerId varchar(12) NOT NULL,
    SubCustomerId int NOT NULL DEFAULT 0,
    RecordType char(1) NOT NULL DEFAULT 'I',
    FirstName varchar(30) NULL,
    LastName varchar(30) NULL,
    LabelName varchar(100) NULL,
    CompanyName varchar(80) NULL,
    PrimaryEmailAddress varchar(100) NULL,
    AllowEmail bit NOT NULL DEFAULT 1,
    AllowSolicitation bit NOT NULL DEFAULT 1,
    DoNotSolicitByEmail bit NOT NULL DEFAULT 0,
    BadEmailFlag bit NOT NULL DEFAULT 0,
    CustomerStatusCode varchar(24) NOT NULL DEFAULT 'ACTIVE',
    CustomerClassCode varchar(24) NOT NULL DEFAULT '',
    City varchar(40) NULL,
    State varchar(15) NULL,
    JoinDate datetime NULL,
    ModifiedOn datetime NULL,
    PRIMARY KEY (MasterCustomerId, SubCustomerId)
) WITHOUT ROWID;
CREATE TABLE MarketingList (
    ListCode varchar(24) NOT NULL PRIMARY KEY,
    Description varchar(100) NOT NULL,
    RegenerationFrequency varchar(24) NULL,
    LastRegeneratedOn datetime NULL,
    ModifiedOn datetime NOT NULL,
    CreatedOn datetime NOT NULL
) WITHOUT ROWID;
CREATE TABLE MarketingListMember (
    ListCode varchar(24) NOT NULL,
    MasterCustomerId varchar(12) NOT NULL,
    SubCustomerId int NOT NULL,
    PRIMARY KEY (ListCode, MasterCustomerId, SubCustomerId)
) WITHOUT ROWID;
CREATE TABLE PersonalizationField (
    Name varchar(60) NOT NULL PRIMARY KEY,
    Type varchar(30) NOT NULL
) WITHOUT ROWID;
CREATE TABLE CustomerCommunicationUpdate (
    ActivityId INTEGER PRIMARY KEY AUTOINCREMENT,
    MasterCustomerId varchar(12) NOT NULL,
    SubCustomerId int NOT NULL,
    Action varchar(20) NOT NULL,
    Reason varchar(255) NOT NULL DEFAULT '',
    Date datetime NOT NULL,
    ReceivedOn datetime NOT NULL
);
CREATE TABLE Sandbox_ListRule (
    ListCode varchar(24) NOT NULL PRIMARY KEY,
    WhereSql text NOT NULL
) WITHOUT ROWID;
"""

INDEXES = """
CREATE INDEX ix_CustomerCommunicationUpdate_Customer
    ON CustomerCommunicationUpdate (MasterCustomerId, SubCustomerId);
"""

STAMP = "%Y-%m-%d %H:%M:%S"


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(TABLES)


def create_indexes(conn: sqlite3.Connection) -> None:
    conn.executescript(INDEXES)
