from portefeuilles.manage import main

main()
