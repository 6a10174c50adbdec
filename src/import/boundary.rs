//! Where a row's goal ends and its progress begins: a scored judgement. Not written yet.
