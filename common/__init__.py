"""What several apps share and no app owns: building e-mail, spreadsheet downloads, admin pieces,
API errors. It imports no app of Accord, so every app may import it."""
