from osiwire.cli import main

main()
