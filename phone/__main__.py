from phone.line import main

main()
