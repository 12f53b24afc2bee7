"""Static HTML/CSV reports of builds and FTBFS."""
