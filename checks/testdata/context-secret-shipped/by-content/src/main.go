package main

const key = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"
