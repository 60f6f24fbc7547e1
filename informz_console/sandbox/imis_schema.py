"""The iMIS sandbox database layout: tables, indexes and the Informz_Changes triggers.

Column names and declared types follow the real iMIS tables we use (DOMAIN.md, iMIS section), so
the ODBC catalogue the connector reads looks like the real one (`varchar(10)`, `bit`, `datetime`).
`Sandbox_IQA` is ours only: the WHERE clause the sandbox REST server evaluates over `Name` for each
IQA query path that `DocumentMain` lists.

The triggers are created after the bulk load (`TRIGGERS`), so generating a million members does
not write a million change rows; from then on every change of a person's email or status lands in
`Informz_Changes` as the integration's triggers do in a real iMIS database.
"""

from __future__ import annotations

import sqlite3

TABLES = """
CREATE TABLE Name (
    ID varchar(10) NOT NULL PRIMARY KEY,
    STATUS varchar(5) NOT NULL DEFAULT 'A',
    MEMBER_TYPE varchar(5) NOT NULL DEFAULT '',
    FIRST_NAME varchar(20) NOT NULL DEFAULT '',
    LAST_NAME varchar(30) NOT NULL DEFAULT '',
    COMPANY varchar(80) NOT NULL DEFAULT '',
    EMAIL varchar(100) NULL DEFAULT '',
    EXCLUDE_MAIL bit NOT NULL DEFAULT 0,
    CHAPTER varchar(15) NOT NULL DEFAULT '',
    DATE_ADDED datetime NULL,
    LAST_UPDATED datetime NULL
) WITHOUT ROWID;
CREATE TABLE Name_Address (
    ADDRESS_NUM INTEGER NOT NULL PRIMARY KEY,
    ID varchar(10) NOT NULL,
    PURPOSE varchar(20) NOT NULL DEFAULT '',
    EMAIL varchar(100) NOT NULL DEFAULT '',
    PREFERRED_MAIL bit NOT NULL DEFAULT 0,
    CITY varchar(40) NOT NULL DEFAULT ''
);
CREATE TABLE Activity (
    SEQN INTEGER NOT NULL PRIMARY KEY,
    ID varchar(10) NOT NULL,
    ACTIVITY_TYPE varchar(10) NOT NULL DEFAULT '',
    PRODUCT_CODE varchar(31) NOT NULL DEFAULT '',
    TRANSACTION_DATE datetime NULL,
    EFFECTIVE_DATE datetime NULL,
    DESCRIPTION varchar(255) NOT NULL DEFAULT '',
    UF_1 varchar(255) NOT NULL DEFAULT '',
    UF_2 varchar(255) NOT NULL DEFAULT '',
    UF_3 varchar(255) NOT NULL DEFAULT ''
);
CREATE TABLE Counter (
    COUNTER_NAME varchar(30) NOT NULL PRIMARY KEY,
    LAST_VALUE int NOT NULL
);
CREATE TABLE Informz_Changes (
    SEQN INTEGER PRIMARY KEY AUTOINCREMENT,
    ID varchar(10) NOT NULL,
    CHANGE_TYPE char(1) NOT NULL CHECK (CHANGE_TYPE IN ('A', 'C', 'D')),
    OLD_EMAIL varchar(100) NULL,
    NEW_EMAIL varchar(100) NULL,
    STATUS varchar(5) NULL,
    CHANGED_AT datetime NOT NULL
);
CREATE TABLE Informz_Preferences (
    ID varchar(10) NOT NULL PRIMARY KEY,
    NEWSLETTER bit NOT NULL DEFAULT 0,
    EVENTS bit NOT NULL DEFAULT 0,
    ADVOCACY bit NOT NULL DEFAULT 0,
    EMAIL_OPT_OUT bit NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE Informz_Topics (
    ID varchar(10) NOT NULL PRIMARY KEY,
    WEBINARS bit NOT NULL DEFAULT 0,
    JOURNAL bit NOT NULL DEFAULT 0,
    NOTE varchar(255) NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE TABLE DocumentMain (
    DocumentKey char(36) NOT NULL PRIMARY KEY,
    DocumentName varchar(100) NOT NULL,
    DocumentTypeCode char(3) NOT NULL,
    DocumentStatusCode int NOT NULL,
    FolderPath varchar(400) NOT NULL,
    CreatedOn datetime NOT NULL,
    UpdatedOn datetime NOT NULL
);
CREATE TABLE Sandbox_IQA (
    QueryPath varchar(400) NOT NULL PRIMARY KEY,
    WhereSql text NOT NULL
);
"""

# Built after the load: sorted bulk inserts are faster without secondary indexes.
INDEXES = """
CREATE INDEX ix_Name_Address_ID ON Name_Address (ID);
CREATE INDEX ix_Activity_ID ON Activity (ID);
"""

_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"  # UTC, milliseconds

TRIGGERS = f"""
CREATE TRIGGER Informz_Name_Insert AFTER INSERT ON Name
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (NEW.ID, 'A', NULL, NEW.EMAIL, NEW.STATUS, {_NOW});
END;
CREATE TRIGGER Informz_Name_Update AFTER UPDATE OF EMAIL, STATUS ON Name
WHEN OLD.EMAIL IS NOT NEW.EMAIL OR OLD.STATUS IS NOT NEW.STATUS
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (NEW.ID, 'C', OLD.EMAIL, NEW.EMAIL, NEW.STATUS, {_NOW});
END;
CREATE TRIGGER Informz_Name_Delete AFTER DELETE ON Name
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (OLD.ID, 'D', OLD.EMAIL, NULL, OLD.STATUS, {_NOW});
END;
CREATE TRIGGER Informz_Address_Insert AFTER INSERT ON Name_Address
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (NEW.ID, 'C', NULL, NEW.EMAIL,
            (SELECT STATUS FROM Name WHERE ID = NEW.ID), {_NOW});
END;
CREATE TRIGGER Informz_Address_Update AFTER UPDATE OF EMAIL, PREFERRED_MAIL, PURPOSE
ON Name_Address
WHEN OLD.EMAIL IS NOT NEW.EMAIL OR OLD.PREFERRED_MAIL IS NOT NEW.PREFERRED_MAIL
     OR OLD.PURPOSE IS NOT NEW.PURPOSE
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (NEW.ID, 'C', OLD.EMAIL, NEW.EMAIL,
            (SELECT STATUS FROM Name WHERE ID = NEW.ID), {_NOW});
END;
CREATE TRIGGER Informz_Address_Delete AFTER DELETE ON Name_Address
BEGIN
    INSERT INTO Informz_Changes (ID, CHANGE_TYPE, OLD_EMAIL, NEW_EMAIL, STATUS, CHANGED_AT)
    VALUES (OLD.ID, 'C', OLD.EMAIL, NULL,
            (SELECT STATUS FROM Name WHERE ID = OLD.ID), {_NOW});
END;
"""

# DocumentMain.DocumentStatusCode of a published IQA (ours: the connector lists only these).
PUBLISHED = 40
DRAFT = 10


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(TABLES)


def create_indexes_and_triggers(conn: sqlite3.Connection) -> None:
    conn.executescript(INDEXES)
    conn.executescript(TRIGGERS)
