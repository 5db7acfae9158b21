from django.shortcuts import render


def home(request):
    return render(request, "portfolios/home.html", {})


def manage(request):
    return render(request, "portfolios/manage.html", {})
