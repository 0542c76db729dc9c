"""What a secretariat prints, sends and reports: meeting PDFs, assiduity per partner, group activity."""
